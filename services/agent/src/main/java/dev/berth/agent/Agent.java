package dev.berth.agent;

import dev.berth.agent.runtime.KernelRuntime;
import dev.berth.agent.runtime.Recovered;
import dev.berth.common.BerthConfig;
import dev.berth.common.Check;
import dev.berth.common.HealthRegistry;
import dev.berth.common.RedisLink;
import dev.berth.common.KafkaClients;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.AgentHeartbeat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Berth agent: runs the kernels its commands ask for, reports what happens to them on
 * {@code kernel.events}, what they use on {@code kernel.stats}, and itself on {@code agent.heartbeats}.
 *
 * <p>Threads: the command loop owns the consumer; one housekeeping thread sends heartbeats,
 * samples stats and reports kernel exits; the producer is shared, as Kafka producers are thread-safe.
 */
public final class Agent implements AutoCloseable {

    /** The version agents report in their heartbeats. */
    public static final String VERSION = "0.1.0";
    /** Kernel ids remembered to ignore a create delivered twice. */
    static final int REMEMBERED_KERNELS = 4096;
    /**
     * A file of this name in the agent's state directory drains it, as BERTH_AGENT_SCHEDULABLE=false does;
     * {@link #setSchedulable} writes or removes it, so that an admin's choice outlives a restart.
     */
    static final String DRAIN_FILE = "drain";

    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    private static final Duration START_TIMEOUT = CommandLoop.METADATA_TIMEOUT.plusSeconds(30);
    /** Heartbeats that may go missing before the agent counts itself unhealthy. */
    private static final int MISSED_HEARTBEATS = 3;

    private final AgentConfig config;
    private final KernelRuntime runtime;
    private final Path agentDir;
    private final Host host = Host.local();
    private final Outbox outbox;
    private final RedisLink redis;
    private final KernelReports reports;
    private final KernelSupervisor kernels;
    private final CommandLoop commands;
    private final ScheduledExecutorService housekeeping;
    /** One virtual thread per kernel start: an image pull may take minutes. */
    private final ExecutorService starts;
    private final MeterRegistry meters;
    /** Gauges that name this agent, removed again when it closes (tests start many agents in one process). */
    private final List<Meter> gauges = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean drained = new AtomicBoolean();
    private volatile long lastHeartbeatNanos;
    private volatile List<ScheduledFuture<?>> schedules = List.of();

    private Agent(BerthConfig berth, AgentConfig config, KernelRuntime runtime, MeterRegistry meters) {
        String id = config.agentId();
        Topics topics = berth.topics();
        this.config = config;
        this.runtime = runtime;
        this.agentDir = berth.stateDir().resolve("agents").resolve(id);
        this.meters = meters;
        this.drained.set(!config.schedulable());
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("berth-agent-" + id + "-housekeeping").daemon().factory());
        this.outbox = new Outbox(KafkaClients.producer(berth.kafkaBootstrap(), "berth-agent-" + id), topics);
        this.redis = config.hasRedis() ? new RedisLink(config.redisHost(), config.redisPort()) : null;
        this.reports = new KernelReports(id, outbox, redis);
        this.starts = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("berth-agent-" + id + "-start-", 0).factory());
        this.kernels = new KernelSupervisor(id, runtime, outbox,
                AppliedKernels.inFile(REMEMBERED_KERNELS, agentDir.resolve("applied-kernels")), starts, housekeeping,
                config.killGrace(), reports,
                Counter.builder("berth.agent.kernels.started").description("Kernels started or found again")
                        .tag("agent", id).register(meters),
                Counter.builder("berth.agent.kernels.exited").description("Kernels whose process or container ended")
                        .tag("agent", id).register(meters));
        gauges.add(Gauge.builder("berth.agent.kernels.live", kernels, KernelSupervisor::liveCount)
                .description("Kernels running now").tag("agent", id).register(meters));
        // occupancy as the agent itself counts it; the scheduler's ledger drift compares against the same numbers
        config.capacity().forEach((slot, capacity) -> {
            gauges.add(Gauge.builder("berth.agent.capacity", () -> capacity).tags("agent", id, "slot", slot)
                    .description("Slots this agent offers (mem in bytes, others in thousandths)").register(meters));
            gauges.add(Gauge.builder("berth.agent.occupied", kernels, k -> k.occupied().getOrDefault(slot, 0L))
                    .tags("agent", id, "slot", slot)
                    .description("Slots taken by this agent's live kernels (mem in bytes, others in thousandths)").register(meters));
        });
        String group = berth.topicPrefix() + "berth-agent-" + id;
        Map<String, Object> consumer = KafkaClients.consumer(berth.kafkaBootstrap(), group, "berth-agent-" + id + "-commands");
        this.commands = new CommandLoop(id, topics.agentCommands.name(), consumer, Map.of(id, kernels),
                (agentId, command) -> setSchedulable(command.getSchedulable(),
                        command.getRequestedBy().isEmpty() ? "a command" : "a command from " + command.getRequestedBy()),
                partitions -> recover(consumer, partitions), outbox, meters);
    }

    /**
     * Starts an agent: sends its first heartbeat, takes back the kernels an earlier run left, then
     * reads its commands. Returns once all that works.
     *
     * @throws IllegalStateException when Kafka does not take the heartbeat or the commands topic is missing
     */
    public static Agent start(BerthConfig berth, AgentConfig config, KernelRuntime runtime, MeterRegistry meters,
                              HealthRegistry health) {
        Agent agent = new Agent(berth, config, runtime, meters);
        try {
            agent.heartbeat().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            agent.commands.start().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            long beat = config.heartbeatInterval().toMillis();
            long stats = config.statsInterval().toMillis();
            agent.schedules = List.of(
                    agent.housekeeping.scheduleAtFixedRate(agent::beat, beat, beat, TimeUnit.MILLISECONDS),
                    agent.housekeeping.scheduleAtFixedRate(agent::sample, stats, stats, TimeUnit.MILLISECONDS));
            health.registerNow("agent:" + config.agentId(), agent::check);
            if (agent.redis != null) health.registerBlocking("redis:agent-" + config.agentId(), agent.redis::check);
            log.info("Agent {} started: runtime {}, capacity {}, scaling group {}, {} kernel(s) found again",
                    config.agentId(), runtime.name(), config.capacity(), config.scalingGroup(), agent.kernels.liveCount());
            return agent;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            agent.close();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("agent " + config.agentId() + " could not start: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            agent.close();
            throw new IllegalStateException("interrupted while agent " + config.agentId() + " was starting", e);
        }
    }

    public AgentConfig config() {
        return config;
    }

    /** Completes when the agent has stopped reading commands: after {@link #close()}, or when reading failed. */
    public CompletionStage<Void> stopped() {
        return commands.ended().minimalCompletionStage();
    }

    /**
     * Marks the agent unschedulable (drain), as {@code setSchedulable(false, ...)} does: its next
     * heartbeat, sent now, says so, and the scheduler places nothing new here; the kernels it runs
     * carry on to their end.
     */
    public void drain() {
        setSchedulable(false, "drain()");
    }

    /**
     * ADM-04: drains the agent (false) or lets it take new kernels again (true), durably: false
     * writes the drain file, true removes it and lifts a drain of BERTH_AGENT_SCHEDULABLE=false
     * until the next start. A heartbeat that says so goes out at once.
     */
    public void setSchedulable(boolean schedulable, String why) {
        boolean before = schedulable();
        Path file = agentDir.resolve(DRAIN_FILE);
        try {
            if (schedulable) {
                Files.deleteIfExists(file);
            } else if (!Files.exists(file)) {
                Files.createDirectories(agentDir);
                Files.writeString(file, "drained by " + why + " at " + Instant.now() + "\n");
            }
        } catch (IOException e) {
            log.warn("Agent {}: the drain file {} could not be {}; the change holds until the agent stops: {}",
                    config.agentId(), file, schedulable ? "removed" : "written", e.toString());
        }
        drained.set(!schedulable);
        boolean after = schedulable();
        if (before != after) {
            log.info("Agent {} {} by {}", config.agentId(),
                    after ? "schedulable again" : "drained: no new kernels will be placed here", why);
        }
        if (!closed.get()) {
            try {
                housekeeping.execute(this::beat);
            } catch (RejectedExecutionException e) {
                // closing: there are no more heartbeats to send
            }
        }
    }

    /** Whether heartbeats say the agent takes new kernels: not after {@link #drain()} or while its drain file exists. */
    public boolean schedulable() {
        return !drained.get() && !Files.exists(agentDir.resolve(DRAIN_FILE));
    }

    /**
     * Stops reading commands and sending heartbeats, then either stops the live kernels
     * (TERMINATED with reason {@code agent-shutdown}) and waits until those events are flushed, or,
     * with BERTH_AGENT_ON_EXIT=detach, leaves them running for the next agent with this id.
     */
    @Override
    public void close() {
        shutdown(!config.detachOnExit());
    }

    /** Stops the agent but not its kernels: the next agent started with this id takes them back. */
    public void detach() {
        shutdown(false);
    }

    private void shutdown(boolean stopKernels) {
        if (!closed.compareAndSet(false, true)) return;
        try {
            commands.close();
            schedules.forEach(schedule -> schedule.cancel(false));
            starts.shutdown();
            if (stopKernels) awaitEnded(kernels.stopAll(), config.killGrace().plusSeconds(10));
            housekeeping.shutdownNow();
            if (!housekeeping.awaitTermination(5, TimeUnit.SECONDS)) log.warn("Agent {} housekeeping did not stop", config.agentId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("Agent {} interrupted while closing; closing its clients now", config.agentId());
        } finally {
            outbox.close();
            if (redis != null) redis.close();
            runtime.close();
            gauges.forEach(meters::remove);
            log.info("Agent {} closed{}", config.agentId(), stopKernels ? "" : ", its kernels left running");
        }
    }

    private void recover(Map<String, Object> consumer, List<TopicPartition> partitions) {
        List<Recovered> found = runtime.recover();
        if (found.isEmpty()) return;
        CommandHistory history = CommandHistory.read(consumer, partitions.getFirst(), config.agentId());
        kernels.recover(found, history);
    }

    private void awaitEnded(CompletableFuture<Void> ended, Duration timeout) throws InterruptedException {
        try {
            ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("Agent {}: kernels {} did not end within {} s", config.agentId(), kernels.liveIds(), timeout.toSeconds());
        } catch (ExecutionException e) {
            log.warn("Agent {}: stopping the kernels failed: {}", config.agentId(), e.getCause().toString());
        }
    }

    private void beat() {
        try {
            heartbeat();
        } catch (RuntimeException e) {
            // a failed beat must not cancel the schedule: the next one may get through
            log.warn("Agent {} could not send a heartbeat: {}", config.agentId(), e.toString());
        }
    }

    private void sample() {
        try {
            reports.sample(kernels.liveKernels());
        } catch (RuntimeException e) {
            log.warn("Agent {} could not sample its kernels: {}", config.agentId(), e.toString());
        }
    }

    private CompletableFuture<Void> heartbeat() {
        AgentHeartbeat heartbeat = heartbeat(config, host, runtime.name(), schedulable(), kernels);
        return outbox.heartbeat(heartbeat).thenRun(() -> lastHeartbeatNanos = System.nanoTime());
    }

    static AgentHeartbeat heartbeat(AgentConfig config, Host host, String runtime, boolean schedulable, KernelSupervisor kernels) {
        return AgentHeartbeat.newBuilder()
                .setAgentId(config.agentId())
                .setAt(Instant.now())
                .setScalingGroup(config.scalingGroup())
                .setAddress(host.address())
                .setArchitecture(host.architecture())
                .setRuntime(runtime)
                .setVersion(VERSION)
                .setSchedulable(schedulable)
                .setCapacity(config.capacity())
                .setOccupied(kernels.occupied())
                .setKernels(kernels.liveIds())
                .setCpuModel(host.cpuModel())
                .setCpuCores(host.cpuCores())
                .setMemoryBytes(host.memoryBytes())
                .setAccelerators(host.accelerators())
                .build();
    }

    private Check check() {
        if (!commands.running()) return Check.down("the command loop is not running");
        Duration since = Duration.ofNanos(System.nanoTime() - lastHeartbeatNanos);
        if (since.compareTo(config.heartbeatInterval().multipliedBy(MISSED_HEARTBEATS)) >= 0) {
            return Check.down("last heartbeat sent " + since.toMillis() + " ms ago");
        }
        return Check.up(kernels.liveCount() + " live kernel(s), last heartbeat " + since.toMillis() + " ms ago"
                + (schedulable() ? "" : ", drained"));
    }
}
