package dev.berth.topology.placement;

import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.schema.avro.SessionAdmitted;
import dev.berth.schema.avro.SessionEnded;

/** What placement reacts to, all keyed by scaling group. */
sealed interface PlacementInput {

    record Admitted(SessionAdmitted session) implements PlacementInput {}

    record Heartbeat(AgentHeartbeat heartbeat) implements PlacementInput {}

    /** A session reached a dead status: whatever it holds is given back. */
    record Ended(SessionEnded ended) implements PlacementInput {}
}
