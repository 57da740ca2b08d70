package dev.berth.agent.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The Docker runtime against a real engine (see {@link DockerEngine}); skipped where none can start. */
class DockerRuntimeIT {

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Map<String, Long> SMALL = Map.of("cpu", 500L, "mem", 64L << 20);

    private static DockerClient docker;
    private final String agentId = "docker-it-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<RunningKernel> started = new ArrayList<>();
    private DockerRuntime runtime;

    @BeforeAll
    static void engine() {
        String host = DockerEngine.host();
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
        docker = DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder().dockerHost(config.getDockerHost()).build());
    }

    @AfterAll
    static void closeClient() throws Exception {
        if (docker != null) docker.close();
    }

    @AfterEach
    void removeContainers() {
        started.forEach(kernel -> {
            kernel.stop(Duration.ZERO);
            kernel.exit().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> null).join();
            kernel.release();
        });
        if (runtime != null) runtime.close();
    }

    @Test
    @DisplayName("a batch kernel runs its bootstrap script, then its command, with its identity in the environment; its output and exit code come back")
    void batchKernel() throws Exception {
        runtime = connect();
        KernelSpec spec = spec("k-" + UUID.randomUUID(), "s1", "echo \"$BERTH_KERNEL_ID $BERTH_CLUSTER_HOSTNAME $(hostname) $GREETING\"; exit 4",
                "echo boot", 1, 1);
        RunningKernel kernel = start(spec);

        assertEquals(4, exitCode(kernel));
        assertEquals("boot\n" + spec.kernelId() + " main1 main1 hi\n", kernel.output(4096));
    }

    @Test
    @DisplayName("the container holds the placed limits and labels naming agent, session and kernel; release removes it")
    void limitsAndLabels() throws Exception {
        runtime = connect();
        KernelSpec spec = spec("k-" + UUID.randomUUID(), "s1", null, null, 1, 1);
        RunningKernel kernel = start(spec);

        InspectContainerResponse container = docker.inspectContainerCmd(kernel.containerId()).exec();
        assertEquals(64L << 20, container.getHostConfig().getMemory());
        assertEquals(500_000_000L, container.getHostConfig().getNanoCPUs());
        Map<String, String> labels = container.getConfig().getLabels();
        assertEquals(agentId, labels.get(KernelLabels.AGENT));
        assertEquals(spec.kernelId(), labels.get(KernelLabels.KERNEL));
        assertEquals("s1", labels.get(KernelLabels.SESSION));
        assertTrue(Boolean.TRUE.equals(container.getState().getRunning()));

        kernel.stop(Duration.ofSeconds(5));
        assertEquals(143, exitCode(kernel), "the idle shell ends on SIGTERM");
        kernel.release();
        assertThrows(NotFoundException.class, () -> docker.inspectContainerCmd(kernel.containerId()).exec());
    }

    @Test
    @DisplayName("a kernel that ignores SIGTERM is killed by the engine once the grace has passed")
    void killsAfterGrace() throws Exception {
        runtime = connect();
        RunningKernel kernel = start(spec("k-" + UUID.randomUUID(), "s1", "trap '' TERM; echo ready; while :; do sleep 1; done", null, 1, 1));
        await().atMost(DEADLINE).until(() -> kernel.output(100).contains("ready"));

        long stoppedAt = System.nanoTime();
        kernel.stop(Duration.ofSeconds(1));

        assertEquals(137, exitCode(kernel), "ended by SIGKILL");
        assertTrue(System.nanoTime() - stoppedAt >= Duration.ofSeconds(1).toNanos(), "not before the grace");
    }

    @Test
    @DisplayName("SES-04 the kernels of a multi-node session reach each other by cluster hostname on the session's network")
    void sessionNetwork() throws Exception {
        runtime = connect();
        String session = "s-" + UUID.randomUUID();
        RunningKernel main = start(spec("k-" + UUID.randomUUID(), session, null, null, 1, 2));
        RunningKernel sub = start(new KernelSpec("k-" + UUID.randomUUID(), session, "BATCH", DockerEngine.IMAGE,
                "ping -c 1 -W 5 main1 && echo \"$BERTH_CLUSTER_HOSTS\"", null, Map.of(), SMALL, "sub", 1, "sub1", 2,
                List.of("main1", "sub1")));

        assertEquals(0, exitCode(sub), sub.output(4096));
        assertTrue(sub.output(4096).endsWith("main1,sub1\n"), sub.output(4096));
        assertEquals(1, docker.listNetworksCmd().withNameFilter("berth-" + session).exec().size());
        main.stop(Duration.ZERO);
        exitCode(main);
        sub.release();
        main.release();
        assertTrue(docker.listNetworksCmd().withNameFilter("berth-" + session).exec().isEmpty(), "the last kernel out removes the network");
    }

    @Test
    @DisplayName("an image that is not there and cannot be pulled fails the start with a reason naming it, after PULLING")
    void missingImage() {
        runtime = connect();
        List<String> pulled = new ArrayList<>();
        KernelSpec spec = new KernelSpec("k-" + UUID.randomUUID(), "s1", "BATCH", DockerEngine.ABSENT_IMAGE, "true", null,
                Map.of(), SMALL, "main", 1, "main1", 1, List.of("main1"));

        var error = assertThrows(KernelStartException.class, () -> runtime.start(spec, pulled::add));

        assertEquals(List.of(DockerEngine.ABSENT_IMAGE), pulled);
        assertTrue(error.getMessage().contains(DockerEngine.ABSENT_IMAGE) && error.getMessage().contains("does not exist"), error.getMessage());
    }

    @Test
    @DisplayName("limits the engine cannot apply fail the start with the engine's reason")
    void impossibleLimits() {
        runtime = connect();
        KernelSpec spec = new KernelSpec("k-" + UUID.randomUUID(), "s1", "BATCH", DockerEngine.IMAGE, "true", null,
                Map.of(), Map.of("cpu", 500L, "mem", 1024L), "main", 1, "main1", 1, List.of("main1"));

        var error = assertThrows(KernelStartException.class, () -> runtime.start(spec));

        assertTrue(error.getMessage().toLowerCase().contains("memory"), error.getMessage());
        assertTrue(docker.listContainersCmd().withShowAll(true).withNameFilter(List.of("berth-" + spec.kernelId())).exec().isEmpty());
    }

    @Test
    @DisplayName("USG-01 a busy container's usage comes from its cgroup: cpu time and memory")
    void usageFromCgroups() {
        runtime = connect();
        RunningKernel kernel = start(spec("k-" + UUID.randomUUID(), "s1", "while :; do :; done", null, 1, 1));

        await().atMost(DEADLINE).until(() -> kernel.usage().map(u -> u.cpuNanos() > 200_000_000L).orElse(false));
        Usage usage = kernel.usage().orElseThrow();
        assertTrue(usage.memBytes() > 0, usage.toString());
    }

    @Test
    @DisplayName("a new runtime for the same agent finds its running container again, with the kernel's spec from the labels")
    void recoversContainers() throws Exception {
        runtime = connect();
        KernelSpec spec = spec("k-" + UUID.randomUUID(), "s1", null, null, 1, 1);
        RunningKernel kernel = start(spec);

        DockerRuntime again = DockerRuntime.connect(DockerEngine.host(), agentId, Duration.ofSeconds(30));
        try {
            List<Recovered> found = again.recover();
            assertEquals(1, found.size());
            Recovered recovered = found.getFirst();
            assertEquals(spec.kernelId(), recovered.spec().kernelId());
            assertEquals(SMALL, recovered.spec().resources());
            assertEquals(kernel.containerId(), recovered.kernel().containerId());
            CompletableFuture<Integer> exit = recovered.kernel().exit().toCompletableFuture();
            assertFalse(exit.isDone());
            recovered.kernel().stop(Duration.ofSeconds(5));
            assertEquals(143, exit.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
            assertTrue(DockerRuntime.connect(DockerEngine.host(), "someone-else", Duration.ofSeconds(30)).recover().isEmpty());
        } finally {
            again.close();
        }
    }

    @Test
    @DisplayName("image names split into repository and tag as the pull API wants them")
    void imageNames() {
        assertEquals(new DockerRuntime.ImageName("busybox", "latest"), DockerRuntime.ImageName.parse("busybox"));
        assertEquals(new DockerRuntime.ImageName("127.0.0.1:5000/a/b", "1.2"), DockerRuntime.ImageName.parse("127.0.0.1:5000/a/b:1.2"));
        assertEquals(new DockerRuntime.ImageName("127.0.0.1:5000/a", "latest"), DockerRuntime.ImageName.parse("127.0.0.1:5000/a"));
    }

    private DockerRuntime connect() {
        return DockerRuntime.connect(DockerEngine.host(), agentId, Duration.ofSeconds(30));
    }

    private RunningKernel start(KernelSpec spec) {
        try {
            RunningKernel kernel = runtime.start(spec);
            started.add(kernel);
            return kernel;
        } catch (KernelStartException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static KernelSpec spec(String kernelId, String session, String command, String bootstrap, int idx, int size) {
        List<String> hosts = size == 1 ? List.of("main1") : List.of("main1", "sub1");
        return new KernelSpec(kernelId, session, command == null ? "INTERACTIVE" : "BATCH", DockerEngine.IMAGE, command,
                bootstrap, Map.of("GREETING", "hi"), SMALL, "main", idx, "main1", size, hosts);
    }

    private static Integer exitCode(RunningKernel kernel) throws Exception {
        return kernel.exit().toCompletableFuture().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }
}
