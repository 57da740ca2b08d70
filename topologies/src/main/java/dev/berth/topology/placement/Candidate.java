package dev.berth.topology.placement;

import dev.berth.schema.Slots;
import java.util.Map;

/**
 * An agent a pass may place on, as a policy sees it; {@code free} shrinks as the pass places kernels on it.
 *
 * @param capacity everything the agent reported
 * @param free     capacity minus live allocations minus what this pass placed so far
 */
public record Candidate(String agentId, Map<String, Long> capacity, Map<String, Long> free) {

    public Candidate {
        capacity = Map.copyOf(capacity);
        free = Map.copyOf(free);
    }

    /** What live allocations and this pass hold (ALG-07). */
    public Map<String, Long> occupied() {
        return Slots.combine(capacity, free, -1);
    }

    /**
     * ALG-02: free ≥ requested in every slot, a missing one counting as zero; so an agent holding more than it
     * has of any slot (its capacity shrank) takes nothing until that drains.
     */
    public boolean fits(Map<String, Long> request) {
        for (var slot : request.entrySet()) {
            if (free.getOrDefault(slot.getKey(), 0L) < slot.getValue()) return false;
        }
        for (var slot : free.entrySet()) {
            if (slot.getValue() < request.getOrDefault(slot.getKey(), 0L)) return false;
        }
        return true;
    }

    /** ALG-05: how many slot types the agent has that the request asks none of, such as GPUs for a CPU job. */
    public int extraSlotTypes(Map<String, Long> request) {
        int extras = 0;
        for (var slot : capacity.entrySet()) {
            if (slot.getValue() > 0 && request.getOrDefault(slot.getKey(), 0L) == 0) extras++;
        }
        return extras;
    }

    Candidate minus(Map<String, Long> request) {
        return new Candidate(agentId, capacity, Slots.combine(free, request, -1));
    }
}
