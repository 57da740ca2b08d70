package dev.berth.topology.placement;

import java.util.Map;

/**
 * One agent as placement sees it: where it is, whether it may take work, and what is still free.
 *
 * @param free slots not held by any live allocation (capacity minus allocations), in Slots units
 */
public record AgentView(String agentId, String architecture, boolean schedulable, long lastSeenMs, Map<String, Long> free) {

    public AgentView {
        free = Map.copyOf(free);
    }
}
