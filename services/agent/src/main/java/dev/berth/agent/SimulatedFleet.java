package dev.berth.agent;

import dev.berth.agent.runtime.SimulatedRuntime;
import dev.berth.common.BerthConfig;
import dev.berth.common.KafkaClients;
import dev.berth.schema.avro.AgentHeartbeat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many simulated agents in one JVM, for benchmarks: each has its own id, heartbeat and kernel
 * supervisor, as a real agent has, but they share one producer, one consumer over their command
 * partitions and one timer thread, so that thousands fit. Their kernels only exist in memory
 * ({@link SimulatedRuntime}).
 *
 * <pre>{@code
 * try (SimulatedFleet fleet = SimulatedFleet.start(berth, AgentConfig.from(env).withRuntime("simulated"), "sim-", 2000)) {
 *     ... run the benchmark ...
 * }
 * }</pre>
 */
public final class SimulatedFleet implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SimulatedFleet.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Map<String, KernelSupervisor> agents = new LinkedHashMap<>();
    /** Agents an admin drained; in memory only, as the fleet's kernels are. */
    private final Set<String> drained = ConcurrentHashMap.newKeySet();
    private final AgentConfig template;
    private final Host host;
    private final Outbox outbox;
    private final ScheduledExecutorService timers;
    private final CommandLoop commands;
    private volatile ScheduledFuture<?> heartbeats;

    private SimulatedFleet(BerthConfig berth, AgentConfig template, String idPrefix, int count, MeterRegistry meters) {
        this.template = template;
        this.host = new Host("simulated", "x86_64", "simulated", 0, 0, Map.of());
        this.timers = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("berth-fleet-timers").daemon().factory());
        this.outbox = new Outbox(KafkaClients.producer(berth.kafkaBootstrap(), "berth-fleet-" + idPrefix), berth.topics());
        SimulatedRuntime runtime = new SimulatedRuntime(template.simulatedRunFor(), timers);
        Counter started = Counter.builder("berth.fleet.kernels.started").tag("fleet", idPrefix).register(meters);
        Counter exited = Counter.builder("berth.fleet.kernels.exited").tag("fleet", idPrefix).register(meters);
        for (int i = 1; i <= count; i++) {
            String id = idPrefix + i;
            // simulated starts take no time: they run on the command thread
            agents.put(id, new KernelSupervisor(id, runtime, outbox, AppliedKernels.inMemory(Agent.REMEMBERED_KERNELS),
                    Runnable::run, timers, template.killGrace(), KernelReports.NONE, started, exited));
        }
        String group = berth.topicPrefix() + "berth-fleet-" + idPrefix;
        this.commands = new CommandLoop("fleet-" + idPrefix, berth.topics().agentCommands.name(),
                KafkaClients.consumer(berth.kafkaBootstrap(), group, "berth-fleet-" + idPrefix), agents,
                (id, command) -> {
                    if (command.getSchedulable()) drained.remove(id);
                    else drained.add(id);
                },
                partitions -> {}, outbox, meters);
    }

    /**
     * Starts {@code count} agents named {@code idPrefix + 1 ... idPrefix + count}, with the capacity,
     * scaling group, heartbeat interval and simulated run time of {@code template}; returns once
     * each has sent a heartbeat and their commands are being read.
     */
    public static SimulatedFleet start(BerthConfig berth, AgentConfig template, String idPrefix, int count) {
        if (count < 1) throw new IllegalArgumentException("count must be >= 1, got " + count);
        SimulatedFleet fleet = new SimulatedFleet(berth, template, idPrefix, count, new SimpleMeterRegistry());
        try {
            fleet.heartbeatAll();
            fleet.outbox.flush();
            fleet.commands.start().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            long every = template.heartbeatInterval().toMillis();
            fleet.heartbeats = fleet.timers.scheduleAtFixedRate(fleet::heartbeatAll, every, every, TimeUnit.MILLISECONDS);
            log.info("Simulated fleet of {} agents ({}1..{}{}) started", count, idPrefix, idPrefix, count);
            return fleet;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            fleet.close();
            throw new IllegalStateException("the simulated fleet could not start: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fleet.close();
            throw new IllegalStateException("interrupted while the simulated fleet was starting", e);
        }
    }

    public List<String> agentIds() {
        return List.copyOf(agents.keySet());
    }

    /** Kernels running now across the fleet. */
    public int liveKernels() {
        return agents.values().stream().mapToInt(KernelSupervisor::liveCount).sum();
    }

    /** Stops reading commands and heartbeating; the simulated kernels vanish without events. */
    @Override
    public void close() {
        try {
            commands.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (heartbeats != null) heartbeats.cancel(false);
        timers.shutdownNow();
        outbox.close();
    }

    private void heartbeatAll() {
        try {
            for (var agent : agents.entrySet()) {
                AgentHeartbeat beat = Agent.heartbeat(template.withAgentId(agent.getKey()), host, "simulated",
                        !drained.contains(agent.getKey()), agent.getValue());
                outbox.heartbeat(beat);
            }
        } catch (RuntimeException e) {
            log.warn("The simulated fleet could not send its heartbeats: {}", e.toString());
        }
    }
}
