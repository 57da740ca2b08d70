package dev.berth.agent.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each kernel as a local {@code /bin/sh} process, for machines without a container engine.
 * The kernel's image is ignored: the command runs on the agent's own system.
 *
 * <p>Each kernel gets {@code <stateDir>/agents/<agentId>/kernels/<kernelId>/} as working directory
 * and HOME, with its stdout and stderr appended to {@code output.log} there. Beside it,
 * {@code kernel.properties} names the kernel and its process, and {@code exit-code} receives the
 * script's exit code, so that a restarted agent can find the kernel again and learn how it ended.
 * Where the agent may create cgroups, each kernel runs in its own with the placed cpu and memory as
 * limits (see {@link ProcessCgroups}), and its usage is read from there; elsewhere from {@code /proc}.
 */
public final class ProcessRuntime implements KernelRuntime {

    static final String OUTPUT = "output.log";
    static final String STATE = "kernel.properties";
    static final String EXIT_CODE = "exit-code";
    /** Written once the kernel's end has been reported: recovery skips the directory from then on. */
    static final String RELEASED = "released";
    private static final String PID = "pid";
    private static final String STARTED = "process-started";

    private static final Logger log = LoggerFactory.getLogger(ProcessRuntime.class);
    /** Kernel ids become directory names: nothing that could climb out of the kernels directory. */
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final String FALLBACK_PATH = "/usr/local/bin:/usr/bin:/bin";
    /**
     * Runs the kernel's script in a child shell and keeps its exit code, even for a reader that is
     * not the parent. The wrapper outlives a SIGTERM (its trap runs a no-op) so that it ends only
     * when the script does, with the script's code; a SIGKILL ends it as it ends the script. The
     * loop waits again after a wait cut short by the trap. First of all it joins the kernel's
     * cgroups ($2, the {@code cgroup.procs} files), so that everything it starts is inside.
     */
    private static final String WRAPPER = "for procs in $2; do echo $$ > \"$procs\"; done 2>/dev/null; "
            + "trap : TERM; /bin/sh -c \"$1\" & child=$!; "
            + "while :; do wait $child; code=$?; kill -0 $child 2>/dev/null || break; done; "
            + "echo $code > " + EXIT_CODE + ".tmp && mv " + EXIT_CODE + ".tmp " + EXIT_CODE + "; exit $code";

    private final String agentId;
    private final Path kernelsDir;
    private final LinuxUsage usage = LinuxUsage.system();
    private final ProcessCgroups cgroups;

    public ProcessRuntime(Path stateDir, String agentId) {
        if (!SAFE_ID.matcher(agentId).matches()) throw new IllegalArgumentException("unsafe agent id for a directory name: " + agentId);
        this.agentId = agentId;
        this.kernelsDir = stateDir.resolve("agents").resolve(agentId).resolve("kernels");
        this.cgroups = ProcessCgroups.at(Path.of("/sys/fs/cgroup"), agentId);
    }

    /** The directory a kernel runs in. */
    public Path workDir(String kernelId) {
        return kernelsDir.resolve(kernelId);
    }

    @Override
    public String name() {
        return "process";
    }

    @Override
    public RunningKernel start(KernelSpec spec, StartListener listener) throws KernelStartException {
        if (!SAFE_ID.matcher(spec.kernelId()).matches()) {
            throw new KernelStartException("kernel id " + spec.kernelId() + " is not a safe directory name");
        }
        Path dir = workDir(spec.kernelId());
        List<Path> procs = cgroups.create(spec.kernelId(), spec.resources());
        String joins = String.join(" ", procs.stream().map(Path::toString).toList());
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", WRAPPER, "berth-kernel", spec.shellScript(), joins)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(OUTPUT).toFile()));
        Map<String, String> env = builder.environment();
        // The agent's own settings stay out of kernels; PATH is kept so that commands resolve as in a shell.
        env.clear();
        env.put("PATH", System.getenv().getOrDefault("PATH", FALLBACK_PATH));
        env.put("HOME", dir.toString());
        env.putAll(spec.environment());
        Process process;
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(dir.resolve(EXIT_CODE));
            process = builder.start();
        } catch (IOException | RuntimeException e) {
            cgroups.remove(spec.kernelId());
            throw new KernelStartException("cannot start a process in " + dir + ": " + e, e);
        }
        closeQuietly(process);
        ProcessHandle handle = process.toHandle();
        try {
            writeState(dir, spec, handle);
        } catch (IOException e) {
            handle.destroyForcibly();
            throw new KernelStartException("cannot write the state of kernel " + spec.kernelId() + ": " + e, e);
        }
        log.info("Kernel {} started as pid {}{}", spec.kernelId(), process.pid(), procs.isEmpty() ? " without a cgroup" : "");
        return new ProcessKernel(spec.kernelId(), handle, dir, process.onExit().thenApply(Process::exitValue), !procs.isEmpty(),
                usage, cgroups);
    }

    @Override
    public List<Recovered> recover() {
        List<Recovered> found = new ArrayList<>();
        try (Stream<Path> dirs = Files.isDirectory(kernelsDir) ? Files.list(kernelsDir) : Stream.empty()) {
            for (Path dir : dirs.sorted().toList()) {
                if (Files.exists(dir.resolve(RELEASED)) || !Files.exists(dir.resolve(STATE))) continue;
                recover(dir).ifPresent(found::add);
            }
        } catch (IOException e) {
            log.warn("Cannot list {} to recover kernels: {}", kernelsDir, e.toString());
        }
        return found;
    }

    private Optional<Recovered> recover(Path dir) {
        Properties state = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve(STATE))) {
            state.load(in);
        } catch (IOException e) {
            log.warn("Cannot read {}: {}", dir.resolve(STATE), e.toString());
            return Optional.empty();
        }
        Map<String, String> labels = new HashMap<>();
        state.stringPropertyNames().forEach(key -> labels.put(key, state.getProperty(key)));
        Optional<KernelSpec> spec = KernelLabels.spec(labels);
        if (spec.isEmpty() || !agentId.equals(labels.get(KernelLabels.AGENT))) return Optional.empty();
        Instant startedAt = Instant.parse(state.getProperty(STARTED));
        long pid = Long.parseLong(state.getProperty(PID));
        // the pid is the kernel's only while the process there started when the kernel did
        Optional<ProcessHandle> handle = ProcessHandle.of(pid)
                .filter(h -> h.info().startInstant().map(startedAt::equals).orElse(false));
        CompletableFuture<Integer> exit = handle
                .map(h -> h.onExit().thenApply(ended -> exitCode(dir)))
                .orElseGet(() -> CompletableFuture.completedFuture(exitCode(dir)));
        ProcessHandle process = handle.orElse(null);
        String kernelId = spec.get().kernelId();
        return Optional.of(new Recovered(spec.get(),
                new ProcessKernel(kernelId, process, dir, exit, cgroups.exists(kernelId), usage, cgroups), startedAt));
    }

    private void writeState(Path dir, KernelSpec spec, ProcessHandle handle) throws IOException {
        Properties state = new Properties();
        state.putAll(KernelLabels.of(agentId, spec));
        state.setProperty(PID, Long.toString(handle.pid()));
        // a process that ended already has no start time; now matches no later process with its pid
        state.setProperty(STARTED, handle.info().startInstant().orElseGet(Instant::now).toString());
        Path tmp = dir.resolve(STATE + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            state.store(out, "kernel " + spec.kernelId());
        }
        Files.move(tmp, dir.resolve(STATE), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Files.deleteIfExists(dir.resolve(RELEASED));
    }

    private static Integer exitCode(Path dir) {
        try {
            return Integer.parseInt(Files.readString(dir.resolve(EXIT_CODE)).trim());
        } catch (IOException | NumberFormatException e) {
            return null; // killed before the wrapper could write it
        }
    }

    /** Kernels get an empty stdin, so that a command reading it sees its end instead of waiting forever. */
    private static void closeQuietly(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            log.debug("Closing stdin of pid {} failed: {}", process.pid(), e.toString());
        }
    }

    /**
     * A kernel process, started here or found again; {@code process} is null for one that had ended
     * before it was found. A process started here reports its exit value; one found again reports
     * what its wrapper wrote.
     */
    private record ProcessKernel(String kernelId, ProcessHandle process, Path dir, CompletableFuture<Integer> exitCode,
                                 boolean ownCgroup, LinuxUsage linux, ProcessCgroups cgroups) implements RunningKernel {

        @Override
        public String containerId() {
            return process == null ? "pid:gone" : "pid:" + process.pid();
        }

        @Override
        public CompletionStage<Integer> exit() {
            return exitCode;
        }

        /**
         * The tree is taken once, at SIGTERM: children whose shell has died are re-parented and
         * would no longer show as descendants when the SIGKILL is due. The shell is signalled
         * first, so that it cannot see its children die and carry on with its script.
         */
        @Override
        public void stop(Duration grace) {
            if (process == null) return;
            List<ProcessHandle> tree = Stream.concat(Stream.of(process), process.descendants()).toList();
            tree.forEach(ProcessHandle::destroy);
            CompletableFuture.delayedExecutor(grace.toMillis(), TimeUnit.MILLISECONDS).execute(() -> tree.stream()
                    .filter(ProcessHandle::isAlive)
                    .forEach(handle -> {
                        log.info("Pid {} outlived its {} ms grace, killing it", handle.pid(), grace.toMillis());
                        handle.destroyForcibly();
                    }));
        }

        @Override
        public Optional<Usage> usage() {
            if (process == null || !process.isAlive()) return Optional.empty();
            if (ownCgroup) return linux.ofCgroup(process.pid(), kernelId);
            List<Long> pids = Stream.concat(Stream.of(process), process.descendants()).map(ProcessHandle::pid).toList();
            return linux.ofProcesses(pids);
        }

        @Override
        public String output(int maxBytes) {
            return OutputTail.of(dir.resolve(OUTPUT), maxBytes);
        }

        @Override
        public void release() {
            try {
                Files.writeString(dir.resolve(RELEASED), "");
            } catch (IOException e) {
                log.warn("Cannot mark {} released: {}", dir, e.toString());
            }
            cgroups.remove(kernelId);
        }
    }
}
