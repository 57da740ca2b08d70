package dev.berth.topology.lifecycle;

import dev.berth.schema.KernelIds;
import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.DestroyKernel;
import dev.berth.schema.avro.KernelBinding;
import dev.berth.schema.avro.KernelEvent;
import dev.berth.schema.avro.KernelInfo;
import dev.berth.schema.avro.KernelStatus;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionResult;
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

    /** What one input does; {@code next == null} means the input changed nothing. */
    public record Decision(Session next, List<SessionEvent> events, List<AgentCommand> commands) {
        static final Decision NONE = new Decision(null, List.of(), List.of());

        public boolean changed() {
            return next != null;
        }
    }

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
        next.getSpec().setName(rename.op().getNewName());
        next.setVersion(current.getVersion() + 1);
        return new Decision(next, List.of(event(next, SessionEventKind.RENAMED, null, now)), List.of());
    }

    private static Decision placed(Session current, LifecycleInput.Placed placed, long now) {
        if (!Transitions.allowed(current.getStatus(), SessionStatus.SCHEDULED)) return Decision.NONE;
        Session next = copy(current);
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

    /** Sessions in stores are shared with the event just published, so every change starts from a deep copy. */
    private static Session copy(Session session) {
        return Session.newBuilder(session).build();
    }
}
