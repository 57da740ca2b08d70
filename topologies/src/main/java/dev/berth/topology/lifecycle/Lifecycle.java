package dev.berth.topology.lifecycle;

import dev.berth.schema.KernelIds;
import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.DestroyKernel;
import dev.berth.schema.avro.KernelBinding;
import dev.berth.schema.avro.KernelEvent;
import dev.berth.schema.avro.KernelInfo;
import dev.berth.schema.avro.KernelStatus;
import dev.berth.schema.avro.SchedulingUpdate;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionAdmitted;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionResult;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.schema.avro.SessionType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * The per-session state machine: {@code decide(state, input, now)} returns the next state, the
 * session events to publish and the agent commands to send. Pure: time comes in as an argument.
 */
public final class Lifecycle {

    /**
     * What one input does; {@code next == null} means the input changed nothing.
     *
     * @param requeue non-null when the session goes back to placement's queue
     */
    public record Decision(Session next, List<SessionEvent> events, List<AgentCommand> commands, SessionAdmitted requeue) {
        static final Decision NONE = new Decision(null, List.of(), List.of(), null);

        Decision(Session next, List<SessionEvent> events, List<AgentCommand> commands) {
            this(next, events, commands, null);
        }

        public boolean changed() {
            return next != null;
        }
    }

    /** Status info of sessions whose agent fell silent. */
    public static final String AGENT_LOST = "agent-lost";

    private Lifecycle() {}

    public static Decision decide(Session current, LifecycleInput input, long now) {
        if (current == null) {
            return input instanceof LifecycleInput.Create create ? create(create, now) : Decision.NONE;
        }
        return switch (input) {
            case LifecycleInput.Create ignored -> Decision.NONE; // a redelivered create: the session exists
            case LifecycleInput.Destroy destroy -> destroy(current, destroy, now);
            case LifecycleInput.Rename rename -> rename(current, rename, now);
            case LifecycleInput.Placed placed -> placed(current, placed, now);
            case LifecycleInput.KernelChanged changed -> kernelChanged(current, changed.event(), now);
            case LifecycleInput.Waiting waiting -> waiting(current, waiting.update(), now);
            case LifecycleInput.Lost lost -> agentLost(current, lost.op().getAgentId(), now);
        };
    }

    private static Decision create(LifecycleInput.Create create, long now) {
        var spec = create.op().getSpec();
        List<KernelInfo> kernels = new ArrayList<>(spec.getClusterSize());
        for (int i = 0; i < spec.getClusterSize(); i++) {
            kernels.add(KernelInfo.newBuilder()
                    .setKernelId(KernelIds.of(create.sessionId(), i))
                    .setClusterRole(KernelIds.role(i))
                    .setClusterIdx(KernelIds.clusterIdx(i))
                    .setClusterHostname(KernelIds.hostname(i))
                    .setStatus(KernelStatus.PENDING)
                    .build());
        }
        var history = new HashMap<String, Long>();
        history.put(SessionStatus.PENDING.name(), now);
        Session session = Session.newBuilder()
                .setSessionId(create.sessionId())
                .setAccessKey(create.accessKey())
                .setSpec(spec)
                .setStatus(SessionStatus.PENDING)
                .setStatusHistory(history)
                .setCreatedAt(Instant.ofEpochMilli(now))
                .setKernels(kernels)
                .setVersion(1)
                .build();
        return new Decision(session, List.of(event(session, SessionEventKind.ENQUEUED, null, now)), List.of());
    }

    /** SPEC API-14/15: what a destroy does depends on where the session is. */
    private static Decision destroy(Session current, LifecycleInput.Destroy destroy, long now) {
        String reason = destroy.op().getReason();
        return switch (current.getStatus()) {
            case PENDING -> {
                Session next = copy(current);
                next.getKernels().forEach(k -> k.setStatus(KernelStatus.CANCELLED));
                yield transition(next, SessionStatus.CANCELLED, reason, now, List.of());
            }
            case RUNNING, RESTARTING -> {
                Session next = copy(current);
                next.getKernels().forEach(k -> k.setStatus(KernelStatus.TERMINATING));
                yield transition(next, SessionStatus.TERMINATING, reason, now, destroyCommands(current, reason, now));
            }
            case SCHEDULED, PREPARING, TERMINATING, ERROR -> {
                if (!destroy.op().getForced()) yield Decision.NONE;
                // forced: the agent is told to destroy, and the session does not wait for it
                Session next = copy(current);
                next.getKernels().forEach(k -> k.setStatus(KernelStatus.TERMINATED));
                yield transition(next, SessionStatus.TERMINATED, reason, now, destroyCommands(current, reason, now));
            }
            case PULLING, TERMINATED, CANCELLED -> Decision.NONE;
        };
    }

    private static Decision rename(Session current, LifecycleInput.Rename rename, long now) {
        if (Transitions.isTerminal(current.getStatus())) return Decision.NONE;
        Session next = copy(current);
        next.setSpec(SessionSpec.newBuilder(current.getSpec()).setName(rename.op().getNewName()).build());
        next.setVersion(current.getVersion() + 1);
        return new Decision(next, List.of(event(next, SessionEventKind.RENAMED, null, now)), List.of());
    }

    /** SCH-12/16: a pending session carries the scheduler's latest reason; it stays PENDING. */
    private static Decision waiting(Session current, SchedulingUpdate update, long now) {
        if (current.getStatus() != SessionStatus.PENDING) return Decision.NONE;
        Session next = copy(current);
        next.setStatusInfo(update.getStatusInfo());
        next.setScheduler(update.getStatus());
        next.setVersion(current.getVersion() + 1);
        return new Decision(next, List.of(event(next, SessionEventKind.WAITING, update.getStatusInfo(), now)), List.of());
    }

    /**
     * A lost agent takes its kernels with it. A batch session with retries left goes back to the
     * queue (its quota stays reserved); any other ends in ERROR, and its kernels elsewhere are
     * destroyed. A session already being destroyed is simply terminated.
     */
    private static Decision agentLost(Session current, String agentId, long now) {
        if (Transitions.isTerminal(current.getStatus()) || current.getStatus() == SessionStatus.ERROR) return Decision.NONE;
        boolean affected = current.getKernels().stream().anyMatch(k -> agentId.equals(k.getAgentId()) && !isDead(k.getStatus()));
        if (!affected) return Decision.NONE;
        Session next = copy(current);
        List<AgentCommand> elsewhere = destroyCommands(withoutAgent(current, agentId), AGENT_LOST, now);
        if (current.getStatus() == SessionStatus.TERMINATING) {
            next.getKernels().forEach(k -> k.setStatus(KernelStatus.TERMINATED));
            return transition(next, SessionStatus.TERMINATED, AGENT_LOST, now, elsewhere);
        }
        if (current.getSpec().getSessionType() == SessionType.BATCH && current.getRequeues() < current.getSpec().getMaxRetries()) {
            for (KernelInfo kernel : next.getKernels()) {
                kernel.setStatus(KernelStatus.PENDING);
                kernel.setAgentId(null);
                kernel.setContainerId(null);
                kernel.setExitCode(null);
            }
            next.setRequeues(current.getRequeues() + 1);
            // the explicit setter of SES-15: back to PENDING is no transition of the table
            next.setStatus(SessionStatus.PENDING);
            next.setStatusInfo(AGENT_LOST);
            next.getStatusHistory().put(SessionStatus.PENDING.name(), now);
            next.setVersion(current.getVersion() + 1);
            SessionAdmitted requeue = SessionAdmitted.newBuilder()
                    .setSessionId(current.getSessionId())
                    .setAccessKey(current.getAccessKey())
                    .setAt(Instant.ofEpochMilli(now))
                    .setSpec(current.getSpec())
                    .setKernelIds(current.getKernels().stream().map(KernelInfo::getKernelId).toList())
                    .build();
            return new Decision(next, List.of(event(next, SessionEventKind.ENQUEUED, AGENT_LOST, now)), elsewhere, requeue);
        }
        for (KernelInfo kernel : next.getKernels()) {
            if (agentId.equals(kernel.getAgentId()) && !isDead(kernel.getStatus())) kernel.setStatus(KernelStatus.ERROR);
        }
        return transition(next, SessionStatus.ERROR, AGENT_LOST, now, elsewhere);
    }

    /** Statuses in which a session holds no quota and, but for ERROR, no slots (SES-10). */
    public static boolean releases(SessionStatus status) {
        return Transitions.isTerminal(status) || status == SessionStatus.ERROR;
    }

    private static boolean isDead(KernelStatus status) {
        return status == KernelStatus.TERMINATED || status == KernelStatus.CANCELLED || status == KernelStatus.ERROR;
    }

    /** The session as if the lost agent's kernels had no agent: commands go only to the others. */
    private static Session withoutAgent(Session session, String agentId) {
        Session view = copy(session);
        for (KernelInfo kernel : view.getKernels()) {
            if (agentId.equals(kernel.getAgentId()) || isDead(kernel.getStatus())) kernel.setAgentId(null);
        }
        return view;
    }

    private static Decision placed(Session current, LifecycleInput.Placed placed, long now) {
        if (!Transitions.allowed(current.getStatus(), SessionStatus.SCHEDULED)) return Decision.NONE;
        Session next = copy(current);
        next.setScheduler(null);
        for (KernelBinding binding : placed.placement().getBindings()) {
            for (KernelInfo kernel : next.getKernels()) {
                if (kernel.getKernelId().equals(binding.getKernelId())) {
                    kernel.setAgentId(binding.getAgentId());
                    kernel.setStatus(KernelStatus.SCHEDULED);
                }
            }
        }
        return transition(next, SessionStatus.SCHEDULED, "scheduled", now, List.of());
    }

    private static Decision kernelChanged(Session current, KernelEvent event, long now) {
        int index = indexOf(current, event.getKernelId());
        if (index < 0) return Decision.NONE;
        KernelInfo kernel = current.getKernels().get(index);
        // an agent that was declared lost and came back speaks of a kernel that now lives elsewhere, or nowhere
        if (kernel.getAgentId() != null && !kernel.getAgentId().equals(event.getAgentId())) return Decision.NONE;
        KernelStatus target = kernelStatusOf(event);
        boolean allowed = target == KernelStatus.TERMINATED
                ? Transitions.mayMarkTerminated(kernel.getStatus())
                : Transitions.allowed(kernel.getStatus(), target);
        if (!allowed) return Decision.NONE;

        Session next = copy(current);
        KernelInfo changed = next.getKernels().get(index);
        changed.setStatus(target);
        if (event.getContainerId() != null) changed.setContainerId(event.getContainerId());
        if (event.getExitCode() != null) changed.setExitCode(event.getExitCode());
        if (event.getError() != null) next.setError(event.getError());

        SessionStatus derived = StatusDerivation.derive(next.getKernels());
        if (derived == current.getStatus() || !Transitions.allowed(current.getStatus(), derived)) {
            next.setVersion(current.getVersion() + 1);
            return new Decision(next, List.of(), List.of());
        }
        if (derived == SessionStatus.TERMINATED && next.getSpec().getSessionType() == SessionType.BATCH) {
            Integer exit = mainKernel(next).getExitCode();
            next.setResult(exit != null && exit == 0 ? SessionResult.SUCCESS : SessionResult.FAILURE);
        }
        String reason = event.getReason() != null ? event.getReason() : null;
        return transition(next, derived, reason, now, List.of());
    }

    private static Decision transition(Session next, SessionStatus status, String reason, long now, List<AgentCommand> commands) {
        SessionStatus from = next.getStatus();
        next.setStatus(status);
        next.setStatusInfo(reason);
        next.getStatusHistory().put(status.name(), now);
        if (Transitions.isTerminal(status)) next.setTerminatedAt(Instant.ofEpochMilli(now));
        next.setVersion(next.getVersion() + 1);
        assert from != status;
        return new Decision(next, List.of(event(next, kindOf(status), reason, now)), commands);
    }

    private static List<AgentCommand> destroyCommands(Session session, String reason, long now) {
        List<AgentCommand> commands = new ArrayList<>();
        for (KernelInfo kernel : session.getKernels()) {
            if (kernel.getAgentId() == null) continue;
            commands.add(AgentCommand.newBuilder()
                    .setCommandId(kernel.getKernelId() + ":destroy")
                    .setAgentId(kernel.getAgentId())
                    .setAt(Instant.ofEpochMilli(now))
                    .setOp(DestroyKernel.newBuilder()
                            .setKernelId(kernel.getKernelId())
                            .setSessionId(session.getSessionId())
                            .setReason(reason)
                            .build())
                    .build());
        }
        return commands;
    }

    static KernelStatus kernelStatusOf(KernelEvent event) {
        return switch (event.getKind()) {
            case PREPARING, CREATING -> KernelStatus.PREPARING;
            case PULLING -> KernelStatus.PULLING;
            case STARTED -> KernelStatus.RUNNING;
            case CANCELLED -> KernelStatus.CANCELLED;
            case TERMINATING -> KernelStatus.TERMINATING;
            case TERMINATED -> KernelStatus.TERMINATED;
        };
    }

    static SessionEventKind kindOf(SessionStatus status) {
        return switch (status) {
            case PENDING -> SessionEventKind.ENQUEUED;
            case SCHEDULED -> SessionEventKind.SCHEDULED;
            case PULLING -> SessionEventKind.PULLING;
            case PREPARING -> SessionEventKind.PREPARING;
            case RUNNING -> SessionEventKind.STARTED;
            case RESTARTING -> SessionEventKind.RESTARTING;
            case TERMINATING -> SessionEventKind.TERMINATING;
            case TERMINATED -> SessionEventKind.TERMINATED;
            case ERROR -> SessionEventKind.ERROR;
            case CANCELLED -> SessionEventKind.CANCELLED;
        };
    }

    private static SessionEvent event(Session session, SessionEventKind kind, String reason, long now) {
        return SessionEvent.newBuilder()
                .setSessionId(session.getSessionId())
                .setAt(Instant.ofEpochMilli(now))
                .setKind(kind)
                .setReason(reason)
                .setSession(session)
                .build();
    }

    private static KernelInfo mainKernel(Session session) {
        return session.getKernels().get(0);
    }

    private static int indexOf(Session session, String kernelId) {
        List<KernelInfo> kernels = session.getKernels();
        for (int i = 0; i < kernels.size(); i++) if (kernels.get(i).getKernelId().equals(kernelId)) return i;
        return -1;
    }

    /**
     * Sessions in stores are shared with the event just published, so every change starts from a
     * copy of what changes: the kernels and the history. The spec and the scheduler status are
     * never changed in place and are shared; a rename replaces the spec.
     */
    private static Session copy(Session session) {
        List<KernelInfo> kernels = new ArrayList<>(session.getKernels().size());
        for (KernelInfo k : session.getKernels()) {
            kernels.add(new KernelInfo(k.getKernelId(), k.getClusterRole(), k.getClusterIdx(), k.getClusterHostname(),
                    k.getStatus(), k.getAgentId(), k.getContainerId(), k.getExitCode()));
        }
        return new Session(session.getSessionId(), session.getAccessKey(), session.getSpec(), session.getStatus(),
                session.getStatusInfo(), new HashMap<>(session.getStatusHistory()), session.getResult(), session.getCreatedAt(),
                session.getTerminatedAt(), kernels, session.getScheduler(), session.getError(), session.getRequeues(), session.getVersion());
    }
}
