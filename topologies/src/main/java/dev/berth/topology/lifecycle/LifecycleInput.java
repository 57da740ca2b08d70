package dev.berth.topology.lifecycle;

import dev.berth.schema.avro.AgentLost;
import dev.berth.schema.avro.CreateSession;
import dev.berth.schema.avro.DestroySession;
import dev.berth.schema.avro.KernelEvent;
import dev.berth.schema.avro.RenameSession;
import dev.berth.schema.avro.SchedulingUpdate;
import dev.berth.schema.avro.SessionPlaced;
import dev.berth.schema.avro.SessionRequest;

/** Everything that can change a session, from the topics the lifecycle reads. */
public sealed interface LifecycleInput {

    record Create(String sessionId, String accessKey, CreateSession op) implements LifecycleInput {}

    record Destroy(DestroySession op) implements LifecycleInput {}

    record Rename(RenameSession op) implements LifecycleInput {}

    record Placed(SessionPlaced placement) implements LifecycleInput {}

    record KernelChanged(KernelEvent event) implements LifecycleInput {}

    /** Admission or placement says why the session still waits. */
    record Waiting(SchedulingUpdate update) implements LifecycleInput {}

    /** Placement saw the agent of some of the session's kernels fall silent. */
    record Lost(AgentLost op) implements LifecycleInput {}

    static LifecycleInput of(SessionRequest request) {
        return switch (request.getOp()) {
            case CreateSession create -> new Create(request.getSessionId(), request.getAccessKey(), create);
            case DestroySession destroy -> new Destroy(destroy);
            case RenameSession rename -> new Rename(rename);
            case AgentLost lost -> new Lost(lost);
            default -> throw new IllegalArgumentException("unknown session request op " + request.getOp().getClass().getSimpleName());
        };
    }
}
