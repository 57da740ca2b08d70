package dev.berth.agent.runtime;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each kernel as a container on a Docker engine: the placed cpu and memory as limits, labels
 * that name agent, session and kernel (they are how a restarted agent finds its containers), the
 * kernel's environment, and for a session of several kernels a bridge network of its own on which
 * each kernel answers to its cluster hostname (main1, sub1, ...). Kernels on other agents are not
 * on that network: it spans one engine only.
 */
public final class DockerRuntime implements KernelRuntime {

    static final String CONTAINER_PREFIX = "berth-";
    static final String NETWORK_PREFIX = "berth-";
    /** The output fetched for a tail, in lines, before it is cut to the byte budget. */
    private static final int TAIL_LINES = 2000;
    private static final Duration LOG_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(DockerRuntime.class);

    private final DockerClient docker;
    private final String agentId;
    private final Duration pullTimeout;
    private final LinuxUsage usage = LinuxUsage.system();
    /** Ends the exit watches: after close, the next agent with this id watches the containers. */
    private volatile boolean closed;

    private DockerRuntime(DockerClient docker, String agentId, Duration pullTimeout) {
        this.docker = docker;
        this.agentId = agentId;
        this.pullTimeout = pullTimeout;
    }

    /**
     * Connects to the engine at {@code dockerHost} (e.g. {@code unix:///var/run/docker.sock}).
     *
     * @throws IllegalStateException when no engine answers there
     */
    public static DockerRuntime connect(String dockerHost, String agentId, Duration pullTimeout) {
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(dockerHost).build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .maxConnections(1024) // one long-lived wait per running kernel
                .connectionTimeout(Duration.ofSeconds(5))
                .build();
        DockerClient docker = DockerClientImpl.getInstance(config, http);
        try {
            docker.pingCmd().exec();
        } catch (RuntimeException e) {
            closeQuietly(docker);
            throw new IllegalStateException("no Docker engine answers at " + dockerHost + ": " + e.getMessage(), e);
        }
        return new DockerRuntime(docker, agentId, pullTimeout);
    }

    /**
     * Whether an engine answers a ping at {@code dockerHost} within a few seconds: empty when it
     * does, else why not. Nothing stays open afterwards.
     */
    public static Optional<String> ping(String dockerHost) {
        DockerClient docker = null;
        try {
            DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(dockerHost).build();
            ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                    .dockerHost(config.getDockerHost())
                    .sslConfig(config.getSSLConfig())
                    .connectionTimeout(Duration.ofSeconds(2))
                    .responseTimeout(Duration.ofSeconds(3))
                    .build();
            docker = DockerClientImpl.getInstance(config, http);
            docker.pingCmd().exec();
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(String.valueOf(e.getMessage()));
        } finally {
            if (docker != null) closeQuietly(docker);
        }
    }

    @Override
    public String name() {
        return "docker";
    }

    @Override
    public RunningKernel start(KernelSpec spec, StartListener listener) throws KernelStartException {
        if (spec.image() == null || spec.image().isBlank()) throw new KernelStartException("the kernel has no image");
        ensureImage(spec.image(), listener);
        String network = spec.clusterSize() > 1 ? ensureNetwork(spec.sessionId()) : "bridge";
        String name = CONTAINER_PREFIX + spec.kernelId();
        removeLeftover(name);
        String id;
        try {
            var create = docker.createContainerCmd(spec.image())
                    .withName(name)
                    .withHostName(spec.clusterHostname())
                    .withLabels(KernelLabels.of(agentId, spec))
                    .withEnv(spec.environment().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                    .withCmd("/bin/sh", "-c", spec.shellScript())
                    .withHostConfig(hostConfig(spec.resources()).withNetworkMode(network));
            if (!network.equals("bridge")) create.withAliases(spec.clusterHostname());
            id = create.exec().getId();
        } catch (DockerException | IllegalArgumentException e) {
            throw new KernelStartException("the engine refused the container of kernel " + spec.kernelId() + ": " + reason(e), e);
        }
        try {
            docker.startContainerCmd(id).exec();
        } catch (DockerException e) {
            removeQuietly(id);
            throw new KernelStartException("the container of kernel " + spec.kernelId() + " did not start: " + reason(e), e);
        }
        log.info("Kernel {} started as container {} on network {}", spec.kernelId(), id, network);
        return new DockerKernel(id, network, pidOf(id), watchExit(id));
    }

    @Override
    public List<Recovered> recover() {
        List<Recovered> found = new ArrayList<>();
        List<Container> containers = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(KernelLabels.AGENT, agentId)).exec();
        for (Container container : containers) {
            Optional<KernelSpec> spec = KernelLabels.spec(container.getLabels());
            if (spec.isEmpty()) continue;
            String id = container.getId();
            if ("created".equals(container.getState())) {
                // created but never started: the start did not finish, and the create runs again when redelivered
                removeQuietly(id);
                continue;
            }
            boolean running = "running".equals(container.getState());
            CompletableFuture<Integer> exit = running ? watchExit(id) : CompletableFuture.completedFuture(exitCodeOf(id));
            String network = spec.get().clusterSize() > 1 ? NETWORK_PREFIX + spec.get().sessionId() : "bridge";
            found.add(new Recovered(spec.get(), new DockerKernel(id, network, running ? pidOf(id) : 0, exit),
                    Instant.ofEpochSecond(container.getCreated())));
        }
        return found;
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(docker);
    }

    /** The engine's own limits: 1000 cpu thousandths are one core; memory has no swap beyond it. */
    static HostConfig hostConfig(Map<String, Long> resources) {
        HostConfig host = HostConfig.newHostConfig().withInit(true); // an init forwards SIGTERM to the shell
        Long cpu = resources.get("cpu");
        if (cpu != null && cpu > 0) host.withNanoCPUs(cpu * 1_000_000L);
        Long mem = resources.get("mem");
        if (mem != null && mem > 0) host.withMemory(mem).withMemorySwap(mem);
        return host;
    }

    private void ensureImage(String image, StartListener listener) throws KernelStartException {
        try {
            docker.inspectImageCmd(image).exec();
            return;
        } catch (NotFoundException e) {
            listener.pulling(image);
        }
        ImageName name = ImageName.parse(image);
        try {
            boolean done = docker.pullImageCmd(name.repository()).withTag(name.tag()).start()
                    .awaitCompletion(pullTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) throw new KernelStartException("pulling image " + image + " took longer than " + pullTimeout.toSeconds() + " s");
            docker.inspectImageCmd(image).exec();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KernelStartException("interrupted while pulling image " + image, e);
        } catch (RuntimeException e) {
            throw new KernelStartException("image " + image + " does not exist here and could not be pulled: " + reason(e), e);
        }
    }

    private String ensureNetwork(String sessionId) throws KernelStartException {
        String name = NETWORK_PREFIX + sessionId;
        try {
            docker.inspectNetworkCmd().withNetworkId(name).exec();
            return name;
        } catch (NotFoundException e) {
            // created below
        }
        try {
            docker.createNetworkCmd().withName(name).withDriver("bridge").withCheckDuplicate(true)
                    .withLabels(Map.of(KernelLabels.AGENT, agentId, KernelLabels.SESSION, sessionId)).exec();
        } catch (ConflictException e) {
            log.debug("Network {} exists already", name);
        } catch (DockerException e) {
            throw new KernelStartException("cannot create the network of session " + sessionId + ": " + reason(e), e);
        }
        return name;
    }

    /** A container of the same name is a leftover of an attempt that never reported: it goes. */
    private void removeLeftover(String name) {
        try {
            docker.removeContainerCmd(name).withForce(true).exec();
            log.info("Removed leftover container {}", name);
        } catch (NotFoundException e) {
            // the usual case
        }
    }

    private CompletableFuture<Integer> watchExit(String id) {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread.ofVirtual().name("berth-docker-wait-" + id.substring(0, 12)).start(() -> {
            while (!exit.isDone() && !closed) {
                try {
                    exit.complete(docker.waitContainerCmd(id).exec(new WaitContainerResultCallback()).awaitStatusCode());
                } catch (NotFoundException e) {
                    exit.complete(null);
                } catch (RuntimeException e) {
                    // the wait can break with the connection; the container tells whether it still runs
                    Integer code = exitCodeIfEnded(id);
                    if (code != null || !containerExists(id)) exit.complete(code);
                    else pause();
                }
            }
        });
        return exit;
    }

    private Integer exitCodeIfEnded(String id) {
        try {
            InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(id).exec().getState();
            return Boolean.TRUE.equals(state.getRunning()) ? null : state.getExitCode();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private Integer exitCodeOf(String id) {
        try {
            return docker.inspectContainerCmd(id).exec().getState().getExitCode();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private boolean containerExists(String id) {
        try {
            docker.inspectContainerCmd(id).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        } catch (RuntimeException e) {
            return true; // the engine does not answer: keep waiting
        }
    }

    private long pidOf(String id) {
        try {
            Long pid = docker.inspectContainerCmd(id).exec().getState().getPidLong();
            return pid == null ? 0 : pid;
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private void removeQuietly(String id) {
        try {
            docker.removeContainerCmd(id).withForce(true).exec();
        } catch (RuntimeException e) {
            log.warn("Cannot remove container {}: {}", id, e.toString());
        }
    }

    private static void pause() {
        try {
            Thread.sleep(1000); // retry pace while the engine is away, not a synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String reason(Throwable e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        // the engine's answers come as {"message":"..."} after a status line
        int at = message.indexOf("{\"message\":\"");
        if (at >= 0) {
            int end = message.indexOf("\"}", at);
            if (end > at) message = message.substring(at + 12, end);
        }
        return message.strip();
    }

    private static void closeQuietly(DockerClient docker) {
        try {
            docker.close();
        } catch (IOException e) {
            log.debug("Closing the Docker client failed: {}", e.toString());
        }
    }

    /** An image reference split as the pull API wants it: repository and tag (default {@code latest}). */
    record ImageName(String repository, String tag) {
        static ImageName parse(String image) {
            int at = image.indexOf('@');
            if (at >= 0) return new ImageName(image.substring(0, at), image.substring(at + 1));
            int colon = image.lastIndexOf(':');
            if (colon > image.lastIndexOf('/')) return new ImageName(image.substring(0, colon), image.substring(colon + 1));
            return new ImageName(image, "latest");
        }
    }

    private final class DockerKernel implements RunningKernel {
        private final String id;
        private final String network;
        private final long pid;
        private final CompletableFuture<Integer> exit;

        DockerKernel(String id, String network, long pid, CompletableFuture<Integer> exit) {
            this.id = id;
            this.network = network;
            this.pid = pid;
            this.exit = exit;
        }

        @Override
        public String containerId() {
            return id;
        }

        @Override
        public CompletionStage<Integer> exit() {
            return exit;
        }

        /** The engine sends SIGTERM, and SIGKILL once the grace (in whole seconds, rounded up) is over. */
        @Override
        public void stop(Duration grace) {
            int seconds = (int) Math.ceil(grace.toMillis() / 1000.0);
            Thread.ofVirtual().name("berth-docker-stop-" + id.substring(0, 12)).start(() -> {
                try {
                    docker.stopContainerCmd(id).withTimeout(seconds).exec();
                } catch (NotModifiedException | NotFoundException e) {
                    log.debug("Container {} had stopped already", id);
                } catch (RuntimeException e) {
                    log.warn("Stopping container {} failed, killing it: {}", id, e.toString());
                    try {
                        docker.killContainerCmd(id).exec();
                    } catch (RuntimeException killFailed) {
                        log.warn("Killing container {} failed: {}", id, killFailed.toString());
                    }
                }
            });
        }

        @Override
        public Optional<Usage> usage() {
            return pid > 0 && !exit.isDone() ? usage.ofCgroup(pid, id) : Optional.empty();
        }

        @Override
        public String output(int maxBytes) {
            StringBuilder text = new StringBuilder();
            try {
                docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withTail(TAIL_LINES)
                        .exec(new ResultCallback.Adapter<Frame>() {
                            @Override
                            public void onNext(Frame frame) {
                                synchronized (text) {
                                    text.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                                }
                            }
                        }).awaitCompletion(LOG_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.debug("Cannot read the output of container {}: {}", id, e.toString());
            }
            synchronized (text) {
                return OutputTail.of(text.toString(), maxBytes);
            }
        }

        /** Removes the container, then the session's network once no container is left on it. */
        @Override
        public void release() {
            removeQuietly(id);
            if (network.equals("bridge")) return;
            try {
                var attached = docker.inspectNetworkCmd().withNetworkId(network).exec().getContainers();
                if (attached == null || attached.isEmpty()) docker.removeNetworkCmd(network).exec();
            } catch (NotFoundException e) {
                // removed by the session's other kernel
            } catch (RuntimeException e) {
                log.debug("Network {} stays for now: {}", network, e.toString());
            }
        }
    }
}
