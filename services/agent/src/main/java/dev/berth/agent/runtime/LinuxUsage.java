package dev.berth.agent.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Reads resource counters from Linux: a container's cgroup (v1 or v2, found through its init
 * process) and a process tree's {@code /proc} entries. Every reader returns empty rather than
 * throwing when a file is missing, as a kernel may end between two reads.
 */
final class LinuxUsage {

    /** Clock ticks per second of {@code /proc/<pid>/stat} times: 100 on every Linux the JVM runs on. */
    private static final long TICK_NANOS = 10_000_000L;

    private final Path proc;
    private final Path cgroupRoot;

    LinuxUsage(Path proc, Path cgroupRoot) {
        this.proc = proc;
        this.cgroupRoot = cgroupRoot;
    }

    static LinuxUsage system() {
        return new LinuxUsage(Path.of("/proc"), Path.of("/sys/fs/cgroup"));
    }

    /**
     * Usage of the cgroup {@code pid} lives in, with the network counters of its namespace; empty
     * unless that cgroup's path names {@code owner} (a container or kernel id), so that a process
     * that has not joined its own cgroup yet is never measured as the agent's.
     */
    Optional<Usage> ofCgroup(long pid, String owner) {
        List<String> membership = lines(proc.resolve(pid + "/cgroup"));
        if (membership.stream().noneMatch(line -> line.contains(owner))) return Optional.empty();
        long[] net = network(pid);
        String v2 = null;
        long cpu = -1, mem = -1, peak = 0, read = 0, write = 0;
        for (String line : membership) {
            String[] parts = line.split(":", 3);
            if (parts.length < 3) continue;
            String controllers = parts[1];
            String path = parts[2].startsWith("/") ? parts[2].substring(1) : parts[2];
            if (controllers.isEmpty()) {
                v2 = path;
            } else if (has(controllers, "cpuacct")) {
                cpu = number(v1(controllers, "cpuacct", path, "cpuacct.usage"));
            } else if (has(controllers, "memory")) {
                mem = number(v1(controllers, "memory", path, "memory.usage_in_bytes"));
                peak = Math.max(0, number(v1(controllers, "memory", path, "memory.max_usage_in_bytes")));
            } else if (has(controllers, "blkio")) {
                long[] io = blkio(lines(v1(controllers, "blkio", path, "blkio.throttle.io_service_bytes")));
                read = io[0];
                write = io[1];
            }
        }
        if (cpu < 0 && v2 != null) {
            Path dir = cgroupRoot.resolve(v2);
            cpu = field(lines(dir.resolve("cpu.stat")), "usage_usec") * 1000;
            mem = number(dir.resolve("memory.current"));
            peak = Math.max(0, number(dir.resolve("memory.peak")));
            long[] io = ioStat(lines(dir.resolve("io.stat")));
            read = io[0];
            write = io[1];
        }
        if (cpu < 0 || mem < 0) return Optional.empty();
        return Optional.of(new Usage(cpu, mem, Math.max(peak, mem), net[0], net[1], read, write));
    }

    /** Usage of a process and its descendants from {@code /proc}; no network counters (they share the host's). */
    Optional<Usage> ofProcesses(List<Long> pids) {
        long cpu = 0, rss = 0, peak = 0, read = 0, write = 0;
        boolean any = false;
        for (long pid : pids) {
            String stat = text(proc.resolve(pid + "/stat"));
            if (stat == null) continue;
            // fields after the command name, which is in parentheses and may hold spaces
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            if (f.length < 13) continue;
            any = true;
            cpu += (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_NANOS;
            List<String> status = lines(proc.resolve(pid + "/status"));
            rss += kib(status, "VmRSS:");
            peak += kib(status, "VmHWM:");
            List<String> io = lines(proc.resolve(pid + "/io"));
            read += field(io, "read_bytes:");
            write += field(io, "write_bytes:");
        }
        return any ? Optional.of(new Usage(cpu, rss, Math.max(peak, rss), 0, 0, read, write)) : Optional.empty();
    }

    private long[] network(long pid) {
        long rx = 0, tx = 0;
        for (String line : lines(proc.resolve(pid + "/net/dev"))) {
            int colon = line.indexOf(':');
            if (colon < 0 || line.substring(0, colon).trim().equals("lo")) continue;
            String[] f = line.substring(colon + 1).trim().split("\\s+");
            if (f.length < 9) continue;
            rx += Long.parseLong(f[0]);
            tx += Long.parseLong(f[8]);
        }
        return new long[] {rx, tx};
    }

    private Path v1(String controllers, String controller, String path, String file) {
        Path joined = cgroupRoot.resolve(controllers).resolve(path).resolve(file);
        return Files.exists(joined) ? joined : cgroupRoot.resolve(controller).resolve(path).resolve(file);
    }

    private static boolean has(String controllers, String controller) {
        return List.of(controllers.split(",")).contains(controller);
    }

    /** v1 lines such as {@code 8:0 Read 4096}; the per-device lines are summed, {@code Total} skipped. */
    static long[] blkio(List<String> lines) {
        long read = 0, write = 0;
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 3) continue;
            if (f[1].equals("Read")) read += Long.parseLong(f[2]);
            if (f[1].equals("Write")) write += Long.parseLong(f[2]);
        }
        return new long[] {read, write};
    }

    /** v2 lines such as {@code 8:0 rbytes=4096 wbytes=0 rios=1 ...}. */
    static long[] ioStat(List<String> lines) {
        long read = 0, write = 0;
        for (String line : lines) {
            for (String pair : line.trim().split("\\s+")) {
                if (pair.startsWith("rbytes=")) read += Long.parseLong(pair.substring(7));
                if (pair.startsWith("wbytes=")) write += Long.parseLong(pair.substring(7));
            }
        }
        return new long[] {read, write};
    }

    private static long kib(List<String> lines, String key) {
        return field(lines, key) * 1024;
    }

    /** The number after {@code key} on the line that starts with it; 0 when there is none. */
    static long field(List<String> lines, String key) {
        for (String line : lines) {
            if (line.startsWith(key)) {
                String[] f = line.substring(key.length()).trim().split("\\s+");
                try {
                    return Long.parseLong(f[0]);
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    private static long number(Path file) {
        String text = text(file);
        if (text == null) return -1;
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return -1; // "max" and the like
        }
    }

    private static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static List<String> lines(Path file) {
        String text = text(file);
        return text == null ? List.of() : text.lines().toList();
    }
}
