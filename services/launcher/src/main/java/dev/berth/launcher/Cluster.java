package dev.berth.launcher;

import dev.berth.agent.AgentConfig;
import dev.berth.agent.Runtimes;
import dev.berth.agent.runtime.DockerRuntime;
import dev.berth.common.BerthConfig;
import dev.berth.common.Env;
import dev.berth.identity.KeypairFile;
import dev.berth.kafka.EmbeddedKafka;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code berth up --instances N}: one broker in this process (unless BERTH_KAFKA_BOOTSTRAP names
 * one) and N instances of every other service, each a child JVM with this process's classpath
 * running {@link InstanceMain}, with its own state directory, API port, agent id and node id
 * ({@link InstancePlan}). Processes rather than N stacks in one JVM, so that an instance can be
 * killed (kill -9) without taking the others along, as on separate machines. An instance that dies
 * is reported and not restarted; {@link #close()} stops every instance (SIGTERM, then SIGKILL after
 * a grace) before the broker.
 */
public final class Cluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Cluster.class);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration STOP_GRACE = Duration.ofSeconds(60);

    /** A running instance: its plan, its process and, once up, its bound API port. */
    public record Member(InstancePlan plan, Process process, int apiPort) {
        public String instanceId() {
            return plan.instanceId();
        }

        public String agentId() {
            return plan.agentId();
        }
    }

    private final List<Member> members = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private EmbeddedKafka kafka;
    private String kafkaBootstrap;
    private RuntimeChoice runtime;
    private volatile boolean closing;

    private Cluster() {}

    /**
     * Starts the broker and the instances, all at once, and returns when every instance is up; on a
     * failure all is stopped again. {@code environment} is the launcher's: every instance gets it too.
     */
    public static Cluster start(Map<String, String> environment, int instances, Consumer<String> progress) throws Exception {
        Cluster cluster = new Cluster();
        try {
            cluster.startAll(new Env(environment), environment, instances, progress);
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    private void startAll(Env env, Map<String, String> environment, int instances, Consumer<String> progress) throws Exception {
        if (instances < 1) throw new IllegalArgumentException("--instances must be at least 1, got " + instances);
        StackConfig config = StackConfig.from(env);
        BerthConfig berth = config.berth();
        if (config.embeddedKafka()) {
            progress.accept("starting the embedded Kafka broker ...");
            kafka = EmbeddedKafka.start(berth.stateDir().resolve("embedded-kafka"), config.kafkaPort(), config.kafkaControllerPort());
            kafkaBootstrap = kafka.bootstrapServers();
        } else {
            kafkaBootstrap = berth.kafkaBootstrap();
        }
        runtime = RuntimeChoice.choose(env, Runtimes.projectSocket(berth.stateDir()), DockerRuntime::ping);
        progress.accept("agent runtime " + runtime.runtime() + ": " + runtime.reason());
        String dockerHost = runtime.runtime().equals("docker") ? Runtimes.dockerHost(AgentConfig.from(env), berth.stateDir()) : null;

        Path keypair = KeypairFile.in(berth.stateDir());
        List<CompletableFuture<Integer>> ready = new ArrayList<>();
        List<InstancePlan> plans = InstancePlan.of(env, berth, instances);
        for (InstancePlan plan : plans) {
            Files.createDirectories(plan.stateDir());
            // an instance bootstraps against the keypair the cluster already has, else every instance writes the database's
            Path own = KeypairFile.in(plan.stateDir());
            if (Files.exists(keypair) && !Files.exists(own)) Files.copy(keypair, own, StandardCopyOption.COPY_ATTRIBUTES);
            ready.add(spawn(plan, plan.environment(environment, kafkaBootstrap, instances, runtime, dockerHost)));
            progress.accept("instance " + plan.instanceId() + " starting (pid " + processes.getLast().pid() + ", state in " + plan.stateDir() + ")");
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        for (int i = 0; i < plans.size(); i++) {
            InstancePlan plan = plans.get(i);
            int port;
            try {
                port = ready.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                throw new IllegalStateException("instance " + plan.instanceId() + " did not start: " + e.getCause().getMessage(), e.getCause());
            } catch (TimeoutException e) {
                throw new IllegalStateException("instance " + plan.instanceId() + " did not start within " + START_TIMEOUT.toSeconds() + " s");
            }
            members.add(new Member(plan, processes.get(i), port));
            writePid(plan, processes.get(i));
            progress.accept("instance " + plan.instanceId() + " up: api on port " + port + ", agent " + plan.agentId());
        }
        Path first = KeypairFile.in(plans.getFirst().stateDir());
        if (!Files.exists(keypair) && Files.exists(first)) Files.copy(first, keypair, StandardCopyOption.COPY_ATTRIBUTES);
        for (Member member : members) watch(member);
    }

    /** Starts the instance's JVM; the future completes with its API port once it says it is up, or fails if it exits first. */
    private CompletableFuture<Integer> spawn(InstancePlan plan, Map<String, String> environment) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // the launcher's own memory and JIT flags, nothing else (no debugger or agent ports to clash)
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(arg -> arg.startsWith("-X")).forEach(command::add);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(InstanceMain.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process process = builder.start();
        processes.add(process);
        CompletableFuture<Integer> ready = new CompletableFuture<>();
        Thread.ofPlatform().daemon(true).name("berth-instance-" + plan.number() + "-output").start(() -> pump(plan, process, ready));
        return ready;
    }

    /** Copies the instance's output, each line prefixed with its node id, and catches its ready line. */
    private void pump(InstancePlan plan, Process process, CompletableFuture<Integer> ready) {
        String prefix = "[" + plan.instanceId() + "] ";
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.startsWith(InstanceMain.READY + " ")) {
                    ready.complete(Integer.parseInt(line.split(" ")[1]));
                } else {
                    System.out.println(prefix + line);
                }
            }
        } catch (IOException | RuntimeException e) {
            ready.completeExceptionally(e);
        }
        ready.completeExceptionally(new IllegalStateException("it exited with code " + exitCode(process) + " before it was up (its output is above)"));
    }

    /** An instance that ends by itself is reported; the others go on, as they would without it on another machine. */
    private void watch(Member member) {
        member.process().onExit().thenAccept(gone -> {
            if (!closing) {
                log.warn("instance {} (pid {}) exited with code {}; the other instances take over its work",
                        member.instanceId(), gone.pid(), gone.exitValue());
            }
        });
    }

    private static void writePid(InstancePlan plan, Process process) throws IOException {
        Files.writeString(plan.stateDir().resolve("instance.pid"), process.pid() + "\n");
    }

    private static int exitCode(Process process) {
        try {
            return process.waitFor(5, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    public List<Member> members() {
        return List.copyOf(members);
    }

    public String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    public RuntimeChoice runtime() {
        return runtime;
    }

    /** Stops every instance at once (SIGTERM, SIGKILL after a grace), then the broker. */
    @Override
    public void close() {
        closing = true;
        for (Process process : processes) process.destroy();
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        for (Process process : processes) {
            try {
                if (!process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    log.warn("instance pid {} did not stop within {} s; killing it", process.pid(), STOP_GRACE.toSeconds());
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        for (Member member : members) {
            try {
                Files.deleteIfExists(member.plan().stateDir().resolve("instance.pid"));
            } catch (IOException e) {
                log.debug("could not remove the pid file of {}: {}", member.instanceId(), e.toString());
            }
        }
        if (kafka != null) {
            try {
                kafka.close();
            } catch (Exception e) {
                log.warn("while stopping the broker: {}", e.toString());
            }
        }
    }
}
