package dev.berth.agent.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessRuntimeTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @TempDir
    Path stateDir;

    private final List<RunningKernel> started = new ArrayList<>();

    @AfterEach
    void stopLeftovers() {
        started.forEach(kernel -> {
            kernel.stop(Duration.ZERO);
            kernel.exit().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
            kernel.release();
        });
    }

    @Test
    @DisplayName("a kernel runs its command in its own directory, with its identity in the environment and stdout and stderr in output.log")
    void runsTheCommand() throws Exception {
        ProcessRuntime runtime = new ProcessRuntime(stateDir, "a1");
        RunningKernel kernel = start(runtime, spec("k1",
                "echo \"$BERTH_SESSION_ID $BERTH_KERNEL_ID $BERTH_CLUSTER_ROLE $BERTH_CLUSTER_HOSTNAME $GREETING\"; pwd; echo oops >&2; exit 3"));

        assertEquals(3, exitCode(kernel));
        Path dir = stateDir.resolve("agents/a1/kernels/k1");
        assertEquals(List.of("s1 k1 main main1 hi", dir.toRealPath().toString(), "oops"), Files.readAllLines(dir.resolve("output.log")));
        assertEquals("s1 k1 main main1 hi\n" + dir.toRealPath() + "\noops\n", kernel.output(1024));
        assertTrue(kernel.containerId().matches("pid:\\d+"), kernel.containerId());
    }

    @Test
    @DisplayName("the agent's own environment does not leak into kernels")
    void keepsTheAgentsEnvironmentOut() throws Exception {
        ProcessRuntime runtime = new ProcessRuntime(stateDir, "a1");
        String inherited = System.getenv().keySet().stream()
                .filter(name -> !name.equals("PATH") && name.matches("[A-Za-z_][A-Za-z0-9_]*"))
                .findFirst().orElseThrow();
        RunningKernel kernel = start(runtime, spec("k1", "test -z \"$" + inherited + "\""));

        assertEquals(0, exitCode(kernel), inherited + " is unset in the kernel");
    }

    @Test
    @DisplayName("a kernel without a command stays up until it is stopped")
    void interactiveKernelStaysUp() throws Exception {
        ProcessRuntime runtime = new ProcessRuntime(stateDir, "a1");
        RunningKernel kernel = start(runtime, spec("k1", null));
        CompletableFuture<Integer> exit = kernel.exit().toCompletableFuture();

        await().during(Duration.ofMillis(500)).atMost(DEADLINE).until(() -> !exit.isDone());
        kernel.stop(Duration.ofSeconds(5));

        assertEquals(143, exit.get(10, TimeUnit.SECONDS), "ended by SIGTERM");
    }

    @Test
    @DisplayName("stop ends the kernel's child processes too")
    void stopEndsTheTree() throws Exception {
        ProcessRuntime runtime = new ProcessRuntime(stateDir, "a1");
        RunningKernel kernel = start(runtime, spec("k1", "sleep 60 & sleep 60 & wait"));
        ProcessHandle shell = pid(kernel);
        // the wrapper's descendants: the kernel's shell and its two sleeps
        await().atMost(DEADLINE).until(() -> shell.descendants().count() == 3);
        List<ProcessHandle> children = shell.descendants().toList();

        kernel.stop(Duration.ofSeconds(5));

        exitCode(kernel);
        await().atMost(DEADLINE).until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
    }

    @Test
    @DisplayName("a kernel that ignores SIGTERM is killed once the grace has passed")
    void killsAfterGrace() throws Exception {
        ProcessRuntime runtime = new ProcessRuntime(stateDir, "a1");
        RunningKernel kernel = start(runtime, spec("k1", "trap '' TERM; echo ready; sleep 60 & wait"));
        Path stdout = stateDir.resolve("agents/a1/kernels/k1/output.log");
        await().atMost(DEADLINE).until(() -> Files.exists(stdout) && Files.readString(stdout).contains("ready")
                && pid(kernel).descendants().findAny().isPresent());
        List<ProcessHandle> children = pid(kernel).descendants().toList();

        long stoppedAt = System.nanoTime();
        kernel.stop(Duration.ofMillis(300));

        assertEquals(137, exitCode(kernel), "ended by SIGKILL");
        assertTrue(System.nanoTime() - stoppedAt >= Duration.ofMillis(300).toNanos(), "not before the grace");
        await().atMost(DEADLINE).until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
    }

    @Test
    @DisplayName("a kernel whose directory cannot be made fails to start with the reason")
    void failsToStartWhenTheDirectoryIsTaken() throws Exception {
        ProcessRuntime runtime = new ProcessRuntime(stateDir, "a1");
        Files.createDirectories(stateDir.resolve("agents/a1/kernels"));
        Files.writeString(stateDir.resolve("agents/a1/kernels/k1"), "a file, not a directory");

        var error = assertThrows(KernelStartException.class, () -> runtime.start(spec("k1", "true")));

        assertTrue(error.getMessage().contains("k1"), error.getMessage());
    }

    @Test
    @DisplayName("a kernel id that could climb out of the kernels directory is refused")
    void refusesUnsafeKernelIds() {
        ProcessRuntime runtime = new ProcessRuntime(stateDir, "a1");

        assertThrows(KernelStartException.class, () -> runtime.start(spec("../escape", "true")));
        assertFalse(Files.exists(stateDir.resolve("agents/a1/escape")));
    }

    @Test
    @DisplayName("a batch kernel runs its bootstrap script first; a failing bootstrap ends the kernel with its code, before the command")
    void bootstrapRunsFirst() throws Exception {
        ProcessRuntime runtime = new ProcessRuntime(stateDir, "a1");
        RunningKernel ok = start(runtime, withBootstrap(spec("k1", "echo command"), "echo bootstrap"));
        RunningKernel failing = start(runtime, withBootstrap(spec("k2", "echo command"), "echo bootstrap; exit 7"));

        assertEquals(0, exitCode(ok));
        assertEquals("bootstrap\ncommand\n", ok.output(1024));
        assertEquals(7, exitCode(failing));
        assertEquals("bootstrap\n", failing.output(1024));
    }

    @Test
    @DisplayName("the output tail keeps the last bytes, cut at a line start")
    void outputTailIsBounded() throws Exception {
        ProcessRuntime runtime = new ProcessRuntime(stateDir, "a1");
        RunningKernel kernel = start(runtime, spec("k1", "for i in $(seq 1 1000); do echo line-$i; done"));
        exitCode(kernel);

        String tail = kernel.output(100);

        assertTrue(tail.length() <= 100, tail);
        assertTrue(tail.startsWith("line-"), tail);
        assertTrue(tail.endsWith("line-1000\n"), tail);
    }

    @Test
    @DisplayName("USG-01 a busy kernel's usage shows the cpu time and memory of its process tree")
    void usageOfABusyKernel() throws Exception {
        ProcessRuntime runtime = new ProcessRuntime(stateDir, "a1");
        RunningKernel kernel = start(runtime, spec("k1", "while :; do :; done"));

        await().atMost(DEADLINE).until(() -> kernel.usage().map(u -> u.cpuNanos() >= 200_000_000L).orElse(false));
        Usage usage = kernel.usage().orElseThrow();
        assertTrue(usage.memBytes() > 0, usage.toString());
        assertTrue(usage.memPeakBytes() >= usage.memBytes(), usage.toString());
        kernel.stop(Duration.ZERO);
        exitCode(kernel);
        assertTrue(kernel.usage().isEmpty(), "no usage once ended");
    }

    @Test
    @DisplayName("a new runtime finds the kernels an earlier one left: a running one it can stop, an ended one with its exit code")
    void recoversKernels() throws Exception {
        ProcessRuntime before = new ProcessRuntime(stateDir, "a1");
        RunningKernel running = start(before, spec("k1", "sleep 60"));
        RunningKernel ended = start(before, spec("k2", "exit 5"));
        RunningKernel released = start(before, spec("k3", "exit 0"));
        assertEquals(5, exitCode(ended));
        exitCode(released);
        released.release();

        List<Recovered> found = new ProcessRuntime(stateDir, "a1").recover();

        assertEquals(List.of("k1", "k2"), found.stream().map(r -> r.spec().kernelId()).toList());
        assertEquals(Map.of("cpu", 1000L, "mem", 1L << 28), found.get(0).spec().resources());
        assertEquals(running.containerId(), found.get(0).kernel().containerId());
        assertEquals(5, exitCode(found.get(1).kernel()));
        CompletableFuture<Integer> exit = found.get(0).kernel().exit().toCompletableFuture();
        assertFalse(exit.isDone());
        found.get(0).kernel().stop(Duration.ofSeconds(5));
        exit.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS); // the wrapper ended by SIGTERM leaves no code: null is fine
        assertTrue(new ProcessRuntime(stateDir, "a2").recover().isEmpty(), "another agent's kernels are not its own");
    }

    @Test
    @DisplayName("where cgroups can be made, a kernel runs in its own with the placed limits, and its usage is read there")
    void kernelInItsOwnCgroup() throws Exception {
        Path memory = Path.of("/sys/fs/cgroup/memory");
        if (!Files.isWritable(memory)) {
            System.err.println("cgroup test skipped: " + memory + " is not writable here");
            org.junit.jupiter.api.Assumptions.abort(memory + " is not writable here");
        }
        String agent = "cgroup-test"; // one fixed name: each run leaves at most this agent's empty parent cgroup
        ProcessRuntime runtime = new ProcessRuntime(stateDir, agent);
        RunningKernel kernel = start(runtime, KernelSpec.single("k1", "s1", "img", "while :; do :; done", Map.of(),
                Map.of("cpu", 250L, "mem", 64L << 20)));
        Path group = memory.resolve("berth").resolve(agent).resolve("k1");

        await().atMost(DEADLINE).until(() -> Files.readString(Path.of("/proc/" + pid(kernel).pid() + "/cgroup")).contains(agent + "/k1"));
        assertEquals(Long.toString(64L << 20), Files.readString(group.resolve("memory.limit_in_bytes")).strip());
        assertEquals("25000", Files.readString(Path.of("/sys/fs/cgroup/cpu/berth", agent, "k1", "cpu.cfs_quota_us")).strip());
        long wallStart = System.nanoTime();
        await().atMost(DEADLINE).until(() -> kernel.usage().map(u -> u.cpuNanos() > 300_000_000L).orElse(false));
        double share = kernel.usage().orElseThrow().cpuNanos() / (double) (System.nanoTime() - wallStart);
        assertTrue(share < 0.5, "held to a quarter core, got " + share);

        kernel.stop(Duration.ZERO);
        exitCode(kernel);
        kernel.release();
        await().atMost(DEADLINE).until(() -> !Files.exists(group));
    }

    private RunningKernel start(ProcessRuntime runtime, KernelSpec spec) throws KernelStartException {
        RunningKernel kernel = runtime.start(spec);
        started.add(kernel);
        return kernel;
    }

    private static int exitCode(RunningKernel kernel) throws Exception {
        return kernel.exit().toCompletableFuture().get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static ProcessHandle pid(RunningKernel kernel) {
        long pid = Long.parseLong(kernel.containerId().substring("pid:".length()));
        return ProcessHandle.of(pid).orElseThrow();
    }

    private static KernelSpec withBootstrap(KernelSpec spec, String bootstrap) {
        return new KernelSpec(spec.kernelId(), spec.sessionId(), "BATCH", spec.image(), spec.command(), bootstrap,
                spec.environ(), spec.resources(), spec.clusterRole(), spec.clusterIdx(), spec.clusterHostname(),
                spec.clusterSize(), spec.clusterHosts());
    }

    static KernelSpec spec(String kernelId, String command) {
        return KernelSpec.single(kernelId, "s1", "python:3.12", command, Map.of("GREETING", "hi"),
                Map.of("cpu", 1000L, "mem", 1L << 28));
    }
}
