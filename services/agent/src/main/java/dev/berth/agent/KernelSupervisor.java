package dev.berth.agent;

import dev.berth.agent.runtime.KernelRuntime;
import dev.berth.agent.runtime.KernelSpec;
import dev.berth.agent.runtime.KernelStartException;
import dev.berth.agent.runtime.Recovered;
import dev.berth.agent.runtime.RunningKernel;
import dev.berth.schema.Slots;
import dev.berth.schema.avro.CreateKernel;
import dev.berth.schema.avro.DestroyKernel;
import dev.berth.schema.avro.KernelEvent;
import dev.berth.schema.avro.KernelEventKind;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernels of one agent: starts and stops them on command and reports each step as a
 * {@link KernelEvent}. Commands arrive on the command loop's thread; starts run on {@code starts}
 * (a slow image pull must not hold up the commands of other kernels); exits on {@code exitExecutor}.
 *
 * <p>Event order per kernel is PREPARING, (PULLING,) then STARTED or CANCELLED, then (TERMINATING
 * and) TERMINATED: the exit callback is attached only after STARTED has been handed to the producer.
 * A destroy that arrives while its kernel is starting is held until the start is done.
 */
final class KernelSupervisor {

    static final String SELF_TERMINATED = "self-terminated";
    static final String FAILED_TO_START = "failed-to-start";
    static final String AGENT_SHUTDOWN = "agent-shutdown";

    private static final Logger log = LoggerFactory.getLogger(KernelSupervisor.class);

    private final String agentId;
    private final KernelRuntime runtime;
    private final Outbox outbox;
    private final AppliedKernels applied;
    private final Executor exitExecutor;
    private final Duration killGrace;
    private final KernelReports reports;
    private final Counter started;
    private final Counter exited;
    private final Executor starts;
    private final Map<String, LiveKernel> live = new ConcurrentHashMap<>();
    /** Kernels whose start is under way, with the reason of a destroy that came meanwhile (or null). */
    private final Map<String, Starting> starting = new HashMap<>();
    private boolean closing;
    /** Kernels whose TERMINATED this run has sent, so that a destroy arriving later is not answered twice. */
    private final Map<String, Boolean> ended = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > Agent.REMEMBERED_KERNELS;
        }
    });

    KernelSupervisor(String agentId, KernelRuntime runtime, Outbox outbox, AppliedKernels applied, Executor starts,
                     Executor exitExecutor, Duration killGrace, KernelReports reports, Counter started, Counter exited) {
        this.agentId = agentId;
        this.runtime = runtime;
        this.starts = starts;
        this.outbox = outbox;
        this.applied = applied;
        this.exitExecutor = exitExecutor;
        this.killGrace = killGrace;
        this.reports = reports;
        this.started = started;
        this.exited = exited;
    }

    /**
     * Starts the kernel unless this agent has acted on its id before; the future completes once the
     * start's outcome (STARTED or CANCELLED) has been handed to the producer. The id is recorded
     * then too: a crash in the middle of a start leaves no record, and the create, delivered again,
     * runs; a kernel that did start is found by recovery and recorded then.
     */
    CompletableFuture<Void> create(CreateKernel op) {
        KernelSpec spec = specOf(op);
        Starting start;
        synchronized (starting) {
            if (applied.contains(spec.kernelId()) || live.containsKey(spec.kernelId()) || starting.containsKey(spec.kernelId())) {
                log.info("Kernel {} is known already, create ignored", spec.kernelId());
                return CompletableFuture.completedFuture(null);
            }
            start = new Starting();
            starting.put(spec.kernelId(), start);
        }
        emit(spec, KernelEventKind.PREPARING, null, null, null, null);
        return CompletableFuture.runAsync(() -> start(spec, start), starts);
    }

    void destroy(DestroyKernel op) {
        LiveKernel kernel;
        synchronized (starting) {
            Starting start = starting.get(op.getKernelId());
            if (start != null) {
                if (start.destroyReason == null) start.destroyReason = op.getReason();
                return; // applied once the start is done
            }
            kernel = live.get(op.getKernelId());
        }
        if (kernel == null) {
            if (ended.containsKey(op.getKernelId())) return; // its end has been reported
            // Never started here: the lifecycle still has to hear an end.
            emit(op.getKernelId(), op.getSessionId(), KernelEventKind.TERMINATED, op.getReason(), null, null, null);
            return;
        }
        stop(kernel, op.getReason());
    }

    private void start(KernelSpec spec, Starting start) {
        RunningKernel handle;
        try {
            handle = runtime.start(spec, image -> emit(spec, KernelEventKind.PULLING, null, null, null, null));
        } catch (KernelStartException | RuntimeException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            log.warn("Kernel {} of session {} failed to start: {}", spec.kernelId(), spec.sessionId(), why);
            synchronized (starting) {
                applied.add(spec.kernelId());
                starting.remove(spec.kernelId());
            }
            emit(spec, KernelEventKind.CANCELLED, FAILED_TO_START, null, null, why); // SCH-19: the cause goes as the error detail
            return;
        }
        LiveKernel kernel;
        String heldDestroy;
        synchronized (starting) {
            applied.add(spec.kernelId());
            starting.remove(spec.kernelId());
            kernel = adopt(spec, handle);
            heldDestroy = closing ? AGENT_SHUTDOWN : start.destroyReason;
        }
        if (heldDestroy != null) stop(kernel, heldDestroy);
    }

    /**
     * Takes back the kernels an earlier run left: those that ended meanwhile are reported ended,
     * those the control plane no longer wants are stopped, the rest are watched again and
     * reported STARTED once more (a repeat the lifecycle ignores).
     */
    void recover(List<Recovered> found, CommandHistory history) {
        for (Recovered recovered : found) {
            KernelSpec spec = recovered.spec();
            applied.add(spec.kernelId());
            if (live.containsKey(spec.kernelId())) continue;
            log.info("Found kernel {} of session {} again ({})", spec.kernelId(), spec.sessionId(), recovered.kernel().containerId());
            LiveKernel kernel = adopt(spec, recovered.kernel());
            if (kernel.handle().exit().toCompletableFuture().isDone()) continue;
            if (Recovery.verdict(spec.kernelId(), recovered.startedAt(), history) instanceof Recovery.Verdict.Stop stop) {
                log.info("Kernel {} is not wanted by the control plane any more: stopping it ({})", spec.kernelId(), stop.reason());
                stop(kernel, stop.reason());
            }
        }
    }

    /**
     * Stops every live kernel, and every kernel still starting once it has started; completes when
     * each live one's TERMINATED has been handed to the producer.
     */
    CompletableFuture<Void> stopAll() {
        List<LiveKernel> kernels;
        synchronized (starting) {
            closing = true;
            kernels = List.copyOf(live.values());
        }
        kernels.forEach(kernel -> stop(kernel, AGENT_SHUTDOWN));
        return CompletableFuture.allOf(kernels.stream().map(LiveKernel::ended).toArray(CompletableFuture[]::new));
    }

    /** Slots the live kernels hold (SCH-27: the sum of the agent's occupying kernels). */
    Map<String, Long> occupied() {
        Map<String, Long> sum = new HashMap<>();
        for (LiveKernel kernel : live.values()) sum = Slots.combine(sum, kernel.spec().resources(), 1);
        return sum;
    }

    List<String> liveIds() {
        return live.keySet().stream().sorted().toList();
    }

    List<LiveKernel> liveKernels() {
        return List.copyOf(live.values());
    }

    int liveCount() {
        return live.size();
    }

    private LiveKernel adopt(KernelSpec spec, RunningKernel handle) {
        LiveKernel kernel = new LiveKernel(spec, handle);
        live.put(spec.kernelId(), kernel);
        started.increment();
        emit(spec, KernelEventKind.STARTED, null, null, handle.containerId(), null);
        handle.exit().whenCompleteAsync((code, failure) -> ended(kernel, code), exitExecutor);
        return kernel;
    }

    private void stop(LiveKernel kernel, String reason) {
        if (!kernel.requestStop(reason)) return; // a stop is under way already
        emit(kernel.spec(), KernelEventKind.TERMINATING, reason, null, null, null);
        kernel.handle().stop(killGrace);
    }

    /** The output is saved before TERMINATED goes out, so that whoever reacts to the end finds it. */
    private void ended(LiveKernel kernel, Integer exitCode) {
        KernelSpec spec = kernel.spec();
        exited.increment();
        String reason = kernel.stopReason() == null ? SELF_TERMINATED : kernel.stopReason();
        log.info("Kernel {} of session {} ended with exit code {} ({})", spec.kernelId(), spec.sessionId(), exitCode, reason);
        try {
            reports.ended(kernel);
            emit(spec, KernelEventKind.TERMINATED, reason, exitCode, null, null);
            ended.put(spec.kernelId(), Boolean.TRUE);
            kernel.handle().release();
        } catch (RuntimeException e) {
            log.error("Reporting the end of kernel {} failed: {}", spec.kernelId(), e.toString(), e);
        } finally {
            live.remove(spec.kernelId());
            kernel.ended().complete(null);
        }
    }

    private void emit(KernelSpec spec, KernelEventKind kind, String reason, Integer exitCode, String containerId, String error) {
        emit(spec.kernelId(), spec.sessionId(), kind, reason, exitCode, containerId, error);
    }

    private void emit(String kernelId, String sessionId, KernelEventKind kind, String reason, Integer exitCode,
                      String containerId, String error) {
        outbox.kernelEvent(KernelEvent.newBuilder()
                .setKernelId(kernelId)
                .setSessionId(sessionId)
                .setAgentId(agentId)
                .setAt(Instant.now())
                .setKind(kind)
                .setReason(reason)
                .setExitCode(exitCode)
                .setContainerId(containerId)
                .setError(error)
                .build());
    }

    static KernelSpec specOf(CreateKernel op) {
        List<String> hosts = op.getClusterHosts().isEmpty() ? List.of(op.getClusterHostname()) : op.getClusterHosts();
        return new KernelSpec(op.getKernelId(), op.getSessionId(), op.getSessionType().name(), op.getImage(),
                op.getCommand(), op.getBootstrapScript(), op.getEnviron(), op.getResources(), op.getClusterRole(),
                op.getClusterIdx(), op.getClusterHostname(), Math.max(1, op.getClusterSize()), hosts);
    }

    /** A start under way; a destroy that comes meanwhile leaves its reason here. */
    private static final class Starting {
        private String destroyReason;
    }

    /** A started kernel; {@code ended} completes once its TERMINATED is on its way. */
    static final class LiveKernel {
        private final KernelSpec spec;
        private final RunningKernel handle;
        private final CompletableFuture<Void> ended = new CompletableFuture<>();
        private String stopReason;

        LiveKernel(KernelSpec spec, RunningKernel handle) {
            this.spec = spec;
            this.handle = handle;
        }

        KernelSpec spec() {
            return spec;
        }

        RunningKernel handle() {
            return handle;
        }

        CompletableFuture<Void> ended() {
            return ended;
        }

        synchronized String stopReason() {
            return stopReason;
        }

        /** True for the first stop only: its reason is the one TERMINATED carries. */
        synchronized boolean requestStop(String reason) {
            if (stopReason != null) return false;
            stopReason = reason;
            return true;
        }
    }
}
