package dev.berth.topology.placement;

import java.util.List;

/** Where each kernel of one session goes: {@code agentIds.get(i)} runs kernel {@code i}. */
public record Placement(String sessionId, List<String> agentIds) {

    public Placement {
        agentIds = List.copyOf(agentIds);
    }
}
