package dev.berth.api.resource;

import dev.berth.schema.Slots;
import dev.berth.schema.avro.KernelRole;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** SES-09/10 occupancy sums and RES-04 remaining amounts, as pure functions over sessions and limits. */
public final class Occupancy {

    private Occupancy() {}

    /** User-occupying: every status but PENDING, TERMINATING and the dead ones; SYSTEM sessions do not count. */
    public static boolean occupies(Session session) {
        boolean userOccupying = switch (session.getStatus()) {
            case SCHEDULED, PULLING, PREPARING, RUNNING, RESTARTING, ERROR -> true;
            case PENDING, TERMINATING, TERMINATED, CANCELLED -> false;
        };
        return userOccupying && session.getSpec().getRole() != KernelRole.SYSTEM;
    }

    /** The slots one session takes: per-kernel resources times its cluster size. */
    public static Map<String, Long> slots(Session session) {
        Map<String, Long> total = new TreeMap<>();
        session.getSpec().getResources().forEach((slot, amount) -> total.put(slot, amount * session.getSpec().getClusterSize()));
        return total;
    }

    public static Map<String, Long> sum(Iterable<Session> sessions) {
        Map<String, Long> total = new TreeMap<>();
        for (Session session : sessions) total = new TreeMap<>(Slots.combine(total, slots(session), 1));
        return total;
    }

    /**
     * Limit minus use per slot; a slot the limit does not name is unlimited (empty) unless
     * {@code limitedByDefault}, when its limit is 0 (SCH-09).
     */
    public static Map<String, Optional<Long>> remaining(Map<String, Long> limits, boolean limitedByDefault, Map<String, Long> using) {
        Map<String, Optional<Long>> remaining = new TreeMap<>();
        limits.forEach((slot, limit) -> remaining.put(slot, Optional.of(limit - using.getOrDefault(slot, 0L))));
        using.forEach((slot, used) -> {
            if (!limits.containsKey(slot)) remaining.put(slot, limitedByDefault ? Optional.of(-used) : Optional.empty());
        });
        return remaining;
    }

    /** Whether {@code wanted} fits in {@code remaining}: every slot it names is unlimited or has enough left. */
    public static boolean fits(Map<String, Long> wanted, Map<String, Long> limits, boolean limitedByDefault, Map<String, Long> using) {
        Map<String, Long> after = new HashMap<>(Slots.combine(using, wanted, 1));
        for (Map.Entry<String, Long> slot : wanted.entrySet()) {
            Long limit = limits.get(slot.getKey());
            if (limit == null && !limitedByDefault) continue;
            if (after.get(slot.getKey()) > (limit == null ? 0 : limit)) return false;
        }
        return true;
    }

    /** What an agent has left: capacity minus what its kernels hold, never below zero. */
    public static Map<String, Long> free(AgentView.Agent agent) {
        Map<String, Long> free = new TreeMap<>();
        agent.capacity().forEach((slot, amount) -> free.put(slot, Math.max(0, amount - agent.occupied().getOrDefault(slot, 0L))));
        return free;
    }

    /**
     * RES-04: a group's room is the sum of its schedulable agents' free slots, capped per slot by
     * what the keypair's policy still allows (empty = unlimited).
     */
    public static Map<String, Long> room(List<AgentView.Agent> agents, Map<String, Optional<Long>> keypairRemaining) {
        Map<String, Long> room = new TreeMap<>();
        for (AgentView.Agent agent : agents) {
            if (agent.schedulable()) room = new TreeMap<>(Slots.combine(room, free(agent), 1));
        }
        room.replaceAll((slot, amount) -> keypairRemaining.getOrDefault(slot, Optional.empty())
                .map(left -> Math.max(0, Math.min(left, amount))).orElse(amount));
        return room;
    }

    /** Whether one schedulable agent alone has room for {@code wanted} (a session of one kernel). */
    public static boolean fitsOneAgent(Map<String, Long> wanted, List<AgentView.Agent> agents) {
        return agents.stream().filter(AgentView.Agent::schedulable).map(Occupancy::free)
                .anyMatch(free -> wanted.entrySet().stream().allMatch(slot -> free.getOrDefault(slot.getKey(), 0L) >= slot.getValue()));
    }

    static boolean counts(SessionStatus status) {
        return status != SessionStatus.TERMINATED && status != SessionStatus.CANCELLED;
    }
}
