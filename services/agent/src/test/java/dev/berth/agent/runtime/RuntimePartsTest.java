package dev.berth.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The small pure parts of the runtimes: labels, scripts, cgroup and /proc parsing, tails. */
class RuntimePartsTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("labels carry a kernel's identity, place in the session and slots, and give them back")
    void labelsRoundTrip() {
        KernelSpec spec = new KernelSpec("k1", "s1", "BATCH", "img:1", "echo", "boot", Map.of("SECRET", "x"),
                Map.of("cpu", 1500L, "mem", 1L << 30), "sub", 2, "sub2", 3, List.of("main1", "sub1", "sub2"));

        Map<String, String> labels = KernelLabels.of("a1", spec);
        KernelSpec back = KernelLabels.spec(labels).orElseThrow();

        assertEquals("a1", labels.get(KernelLabels.AGENT));
        assertTrue(labels.values().stream().noneMatch(v -> v.contains("SECRET") || v.equals("boot")), "no command, script or environment");
        assertEquals(new KernelSpec("k1", "s1", "BATCH", "img:1", null, null, Map.of(), spec.resources(), "sub", 2, "sub2", 3,
                spec.clusterHosts()), back);
        assertTrue(KernelLabels.spec(Map.of(KernelLabels.KERNEL, "k1")).isEmpty(), "an incomplete set is not a kernel");
    }

    @Test
    @DisplayName("the shell script runs the bootstrap in a subshell and stops on its failure; without a command the kernel idles")
    void shellScript() {
        KernelSpec plain = KernelSpec.single("k", "s", "img", "echo hi", Map.of(), Map.of());
        KernelSpec idle = KernelSpec.single("k", "s", "img", null, Map.of(), Map.of());
        KernelSpec boot = new KernelSpec("k", "s", "BATCH", "img", "echo hi", "setup", Map.of(), Map.of(), "main", 1, "main1", 1, List.of("main1"));

        assertEquals("echo hi", plain.shellScript());
        assertEquals(KernelSpec.IDLE, idle.shellScript());
        assertEquals("(\nsetup\n) || exit $?\necho hi", boot.shellScript());
        assertEquals("main1", boot.environment().get("BERTH_CLUSTER_HOSTS"));
        assertEquals("1", boot.environment().get("BERTH_CLUSTER_SIZE"));
    }

    @Test
    @DisplayName("cgroup v1 blkio and v2 io.stat lines sum reads and writes over devices")
    void ioParsing() {
        assertArrayEquals(new long[] {4096 + 10, 512}, LinuxUsage.blkio(List.of(
                "8:0 Read 4096", "8:0 Write 512", "8:0 Total 4608", "8:16 Read 10", "Total 4618")));
        assertArrayEquals(new long[] {30, 7}, LinuxUsage.ioStat(List.of(
                "8:0 rbytes=10 wbytes=7 rios=1 wios=1", "8:16 rbytes=20 wbytes=0")));
        assertEquals(1234, LinuxUsage.field(List.of("x 1", "usage_usec 1234", "user_usec 3"), "usage_usec"));
        assertEquals(0, LinuxUsage.field(List.of(), "usage_usec"));
    }

    @Test
    @DisplayName("a cgroup v2 container is read through its init process: cpu, memory, peak, io and network of its namespace")
    void cgroupV2() throws Exception {
        Path proc = Files.createDirectories(dir.resolve("proc/42/net"));
        Files.writeString(proc.getParent().resolve("cgroup"), "0::/system.slice/docker-abc.scope\n");
        Files.writeString(proc.resolve("dev"), """
                Inter-|   Receive                                                |  Transmit
                 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                    lo:     100       1    0    0    0     0          0         0      100       1    0    0    0     0       0          0
                  eth0:    2000      10    0    0    0     0          0         0      300       3    0    0    0     0       0          0
                """);
        Path cgroup = Files.createDirectories(dir.resolve("cgroup/system.slice/docker-abc.scope"));
        Files.writeString(cgroup.resolve("cpu.stat"), "usage_usec 5000\nuser_usec 4000\n");
        Files.writeString(cgroup.resolve("memory.current"), "1000\n");
        Files.writeString(cgroup.resolve("memory.peak"), "3000\n");
        Files.writeString(cgroup.resolve("io.stat"), "8:0 rbytes=11 wbytes=22\n");

        Usage usage = new LinuxUsage(dir.resolve("proc"), dir.resolve("cgroup")).ofCgroup(42, "abc").orElseThrow();

        assertEquals(new Usage(5_000_000, 1000, 3000, 2000, 300, 11, 22), usage);
        assertTrue(new LinuxUsage(dir.resolve("proc"), dir.resolve("cgroup")).ofCgroup(42, "k9").isEmpty(),
                "a process not (yet) in a cgroup of its owner is not measured");
    }

    @Test
    @DisplayName("a cgroup v1 container is read from the cpuacct, memory and blkio hierarchies")
    void cgroupV1() throws Exception {
        Path proc = Files.createDirectories(dir.resolve("proc/7"));
        Files.writeString(proc.resolve("cgroup"), "4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n2:blkio:/docker/abc\n0::/\n");
        Files.writeString(Files.createDirectories(dir.resolve("cgroup/cpu,cpuacct/docker/abc")).resolve("cpuacct.usage"), "999\n");
        Path memory = Files.createDirectories(dir.resolve("cgroup/memory/docker/abc"));
        Files.writeString(memory.resolve("memory.usage_in_bytes"), "50\n");
        Files.writeString(memory.resolve("memory.max_usage_in_bytes"), "80\n");
        Files.writeString(Files.createDirectories(dir.resolve("cgroup/blkio/docker/abc")).resolve("blkio.throttle.io_service_bytes"),
                "8:0 Read 5\n8:0 Write 6\nTotal 11\n");

        Usage usage = new LinuxUsage(dir.resolve("proc"), dir.resolve("cgroup")).ofCgroup(7, "abc").orElseThrow();

        assertEquals(new Usage(999, 50, 80, 0, 0, 5, 6), usage);
        assertTrue(new LinuxUsage(dir.resolve("proc"), dir.resolve("cgroup")).ofCgroup(8, "abc").isEmpty(), "no such process");
    }

    @Test
    @DisplayName("an output tail never splits a character or a line when it cuts")
    void tails() {
        assertEquals("short\n", OutputTail.of("short\n", 100));
        assertEquals("c\n", OutputTail.of("aé\nb\nc\n", 3));
        assertEquals("b\nc\n", OutputTail.of("aé\nb\nc\n", 5));
    }

    @Test
    @DisplayName("process cgroups v1: one directory per controller with the cpu quota and memory limit; removed again")
    void processCgroupsV1() throws Exception {
        for (String controller : List.of("cpu", "cpuacct", "memory", "blkio")) Files.createDirectories(dir.resolve(controller));
        ProcessCgroups cgroups = ProcessCgroups.at(dir, "a1");

        List<Path> procs = cgroups.create("k1", Map.of("cpu", 1500L, "mem", 64L << 20));

        assertEquals(4, procs.size());
        assertEquals("150000", Files.readString(dir.resolve("cpu/berth/a1/k1/cpu.cfs_quota_us")));
        assertEquals(Long.toString(64L << 20), Files.readString(dir.resolve("memory/berth/a1/k1/memory.limit_in_bytes")));
        assertTrue(cgroups.exists("k1"));
        cgroups.remove("k1");
        // a plain directory keeps the files written into it, so only the real cgroupfs empties it; the
        // rule checked here is that remove never throws and leaves other kernels alone
        assertTrue(Files.isDirectory(dir.resolve("cpuacct/berth/a1")));
    }

    @Test
    @DisplayName("process cgroups v2: the kernel's cgroup gets cpu.max and memory.max, controllers passed down")
    void processCgroupsV2() throws Exception {
        Files.writeString(dir.resolve("cgroup.controllers"), "cpu io memory");
        ProcessCgroups cgroups = ProcessCgroups.at(dir, "a1");

        List<Path> procs = cgroups.create("k1", Map.of("cpu", 500L, "mem", 32L << 20));

        assertEquals(List.of(dir.resolve("berth/a1/k1/cgroup.procs")), procs);
        assertEquals("50000 100000", Files.readString(dir.resolve("berth/a1/k1/cpu.max")));
        assertEquals(Long.toString(32L << 20), Files.readString(dir.resolve("berth/a1/k1/memory.max")));
        assertEquals("+cpu +memory +io", Files.readString(dir.resolve("berth/cgroup.subtree_control")));
    }

    @Test
    @DisplayName("a memory limit a shell cannot live in is refused with the reason; no cgroups means no limits, not a failure")
    void processCgroupLimits() throws Exception {
        ProcessCgroups cgroups = ProcessCgroups.at(dir.resolve("absent"), "a1");

        var error = assertThrows(KernelStartException.class,
                () -> cgroups.create("k1", Map.of("mem", 1024L)));
        assertTrue(error.getMessage().contains("1024"), error.getMessage());
        assertEquals(List.of(), cgroups.create("k1", Map.of("mem", 64L << 20)));
    }
}
