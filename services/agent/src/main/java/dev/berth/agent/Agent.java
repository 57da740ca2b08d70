package dev.berth.agent;

import dev.berth.agent.runtime.KernelRuntime;
import dev.berth.common.BerthConfig;
import dev.berth.common.Check;
import dev.berth.common.HealthRegistry;
import dev.berth.common.KafkaClients;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.AgentHeartbeat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Berth agent: runs the kernels its commands ask for, reports what happens to them on
 * {@code kernel.events} and reports itself on {@code agent.heartbeats}.
 *
 * <p>Threads: the command loop owns the consumer; one housekeeping thread sends heartbeats and
 * reports kernel exits; the producer is shared, as Kafka producers are thread-safe.
 */
public final class Agent implements AutoCloseable {

    /** The version agents report in their heartbeats. */
    public static final String VERSION = "0.1.0";

    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    private static final Duration START_TIMEOUT = CommandLoop.METADATA_TIMEOUT.plusSeconds(5);
    /** Heartbeats that may go missing before the agent counts itself unhealthy. */
    private static final int MISSED_HEARTBEATS = 3;

    private final AgentConfig config;
    private final String runtimeName;
    private final Host host = Host.local();
    private final Outbox outbox;
    private final KernelSupervisor kernels;
    private final CommandLoop commands;
    private final ScheduledExecutorService housekeeping;
    private final MeterRegistry meters;
    private final Gauge liveKernels;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long lastHeartbeatNanos;
    private volatile ScheduledFuture<?> heartbeats;

    private Agent(BerthConfig berth, AgentConfig config, KernelRuntime runtime, MeterRegistry meters) {
        String id = config.agentId();
        Topics topics = berth.topics();
        this.config = config;
        this.runtimeName = runtime.name();
        this.meters = meters;
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("berth-agent-" + id + "-housekeeping").daemon().factory());
        this.outbox = new Outbox(KafkaClients.producer(berth.kafkaBootstrap(), "berth-agent-" + id), topics);
        this.kernels = new KernelSupervisor(id, runtime, outbox, housekeeping, config.killGrace(),
                Counter.builder("berth.agent.kernels.started").description("Kernels started")
                        .tag("agent", id).register(meters),
                Counter.builder("berth.agent.kernels.exited").description("Kernels whose process or container ended")
                        .tag("agent", id).register(meters));
        this.liveKernels = Gauge.builder("berth.agent.kernels.live", kernels, KernelSupervisor::liveCount)
                .description("Kernels running now").tag("agent", id).register(meters);
        String group = berth.topicPrefix() + "berth-agent-" + id;
        this.commands = new CommandLoop(id, topics.agentCommands.name(),
                KafkaClients.consumer(berth.kafkaBootstrap(), group, "berth-agent-" + id + "-commands"),
                kernels, outbox, meters);
    }

    /**
     * Starts an agent: sends its first heartbeat, then reads its commands. Returns once both work.
     *
     * @throws IllegalStateException when Kafka does not take the heartbeat or the commands topic is missing
     */
    public static Agent start(BerthConfig berth, AgentConfig config, KernelRuntime runtime, MeterRegistry meters,
                              HealthRegistry health) {
        Agent agent = new Agent(berth, config, runtime, meters);
        try {
            agent.heartbeat().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            agent.commands.start().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            long interval = config.heartbeatInterval().toMillis();
            agent.heartbeats = agent.housekeeping.scheduleAtFixedRate(agent::beat, interval, interval, TimeUnit.MILLISECONDS);
            health.registerNow("agent:" + config.agentId(), agent::check);
            log.info("Agent {} started: runtime {}, capacity {}, scaling group {}", config.agentId(), agent.runtimeName,
                    config.capacity(), config.scalingGroup());
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
     * Stops reading commands and sending heartbeats, stops the live kernels (TERMINATED with reason
     * {@code agent-shutdown}) and waits until those events are flushed.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        try {
            commands.close();
            ScheduledFuture<?> beating = heartbeats;
            if (beating != null) beating.cancel(false);
            awaitEnded(kernels.stopAll(), config.killGrace().plusSeconds(10));
            housekeeping.shutdown();
            if (!housekeeping.awaitTermination(5, TimeUnit.SECONDS)) log.warn("Agent {} housekeeping did not stop", config.agentId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("Agent {} interrupted while closing; closing its clients now", config.agentId());
        } finally {
            outbox.close();
            meters.remove(liveKernels);
            log.info("Agent {} closed", config.agentId());
        }
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

    private CompletableFuture<Void> heartbeat() {
        AgentHeartbeat heartbeat = AgentHeartbeat.newBuilder()
                .setAgentId(config.agentId())
                .setAt(Instant.now())
                .setScalingGroup(config.scalingGroup())
                .setAddress(host.address())
                .setArchitecture(host.architecture())
                .setRuntime(runtimeName)
                .setVersion(VERSION)
                .setSchedulable(true)
                .setCapacity(config.capacity())
                .setOccupied(kernels.occupied())
                .setKernels(kernels.liveIds())
                .build();
        return outbox.heartbeat(heartbeat).thenRun(() -> lastHeartbeatNanos = System.nanoTime());
    }

    private Check check() {
        if (!commands.running()) return Check.down("the command loop is not running");
        Duration since = Duration.ofNanos(System.nanoTime() - lastHeartbeatNanos);
        if (since.compareTo(config.heartbeatInterval().multipliedBy(MISSED_HEARTBEATS)) >= 0) {
            return Check.down("last heartbeat sent " + since.toMillis() + " ms ago");
        }
        return Check.up(kernels.liveCount() + " live kernel(s), last heartbeat " + since.toMillis() + " ms ago");
    }
}
