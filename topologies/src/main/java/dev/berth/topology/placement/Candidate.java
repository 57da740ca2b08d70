package dev.berth.topology.placement;

import dev.berth.schema.Slots;
import java.util.Map;

/**
 * An agent a pass may place on, as a policy sees it; a pass replaces it with a new one as it places kernels on it.
 * A class rather than a record so that {@link #occupied()} is computed once, and only for the policies that ask.
 */
public final class Candidate {

    private final String agentId;
    private final Map<String, Long> capacity;
    private final Map<String, Long> free;
    private Map<String, Long> occupied;
    /** The last request {@link #extraSlotTypes} was asked about, by identity, and its answer: a pass asks per comparison. */
    private Map<String, Long> extrasFor;
    private int extras;

    /**
     * @param capacity everything the agent reported
     * @param free     capacity minus live allocations minus what this pass placed so far
     */
    public Candidate(String agentId, Map<String, Long> capacity, Map<String, Long> free) {
        this.agentId = agentId;
        // no copy when the maps are immutable already, as an AgentView's are
        this.capacity = Map.copyOf(capacity);
        this.free = Map.copyOf(free);
    }

    public String agentId() {
        return agentId;
    }

    public Map<String, Long> capacity() {
        return capacity;
    }

    public Map<String, Long> free() {
        return free;
    }

    /** What live allocations and this pass hold (ALG-07). */
    public Map<String, Long> occupied() {
        if (occupied == null) occupied = Map.copyOf(Slots.combine(capacity, free, -1));
        return occupied;
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
        if (request == extrasFor) return extras;
        int count = 0;
        for (var slot : capacity.entrySet()) {
            if (slot.getValue() > 0 && request.getOrDefault(slot.getKey(), 0L) == 0) count++;
        }
        extrasFor = request;
        extras = count;
        return count;
    }

    Candidate minus(Map<String, Long> request) {
        return new Candidate(agentId, capacity, Slots.combine(free, request, -1));
    }

    @Override
    public String toString() {
        return "Candidate[" + agentId + ", capacity=" + capacity + ", free=" + free + "]";
    }
}
