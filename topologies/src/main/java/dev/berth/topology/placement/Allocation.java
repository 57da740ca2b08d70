package dev.berth.topology.placement;

import java.util.Map;
import java.util.Objects;

/** One live kernel allocation: whose it is, where it runs and what it holds (Slots units). */
public record Allocation(String accessKey, String agentId, Map<String, Long> slots) {

    public Allocation {
        Objects.requireNonNull(accessKey, "accessKey");
        Objects.requireNonNull(agentId, "agentId");
        slots = Map.copyOf(slots);
    }
}
