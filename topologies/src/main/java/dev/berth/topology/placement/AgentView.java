package dev.berth.topology.placement;

import java.util.Map;
import java.util.Objects;

/**
 * One agent as placement sees it: where it is, whether it may take work, what it has and what is still free.
 *
 * @param capacity everything the agent reported, in Slots units
 * @param free     slots not held by any live allocation (capacity minus allocations), in Slots units
 */
public record AgentView(String agentId, String architecture, boolean schedulable, long lastSeenMs,
                        Map<String, Long> capacity, Map<String, Long> free) {

    public AgentView {
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(architecture, "architecture");
        capacity = Map.copyOf(capacity);
        free = Map.copyOf(free);
    }
}
