package dev.berth.topology.placement;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One scheduling pass over a scaling group's queue (SCH-04): the policy picks a session, the session is placed
 * whole or not at all, its slots are taken, and the next pick sees what is left. Pure: the same inputs give
 * the same result, whatever order the lists come in.
 */
public final class PlacementPass {

    private static final Comparator<PendingSession> QUEUE_ORDER =
            Comparator.comparingLong(PendingSession::enqueuedAtMs).thenComparing(PendingSession::sessionId);

    private PlacementPass() {}

    /**
     * @param pending                  the group's queue, in any order
     * @param agents                   the group's agents; only schedulable ones seen within {@code staleAfter} get work
     * @param existing                 live allocations, read only by policies that weigh shares (DRF); those on agents
     *                                 outside {@code agents} do not count
     * @param continueAfterUnplaceable false ends the pass at the first session that cannot be placed (SCH-16);
     *                                 true goes on with the next pick (AMB-05)
     */
    public static PassResult run(List<PendingSession> pending, List<AgentView> agents, List<Allocation> existing,
                                 Policy policy, long nowMs, Duration staleAfter, boolean continueAfterUnplaceable) {
        Pool pool = new Pool(agents, nowMs, staleAfter);
        Shares shares = policy.usesShares() ? shares(agents, existing, pool) : Shares.NONE;

        List<PendingSession> queue = new ArrayList<>(pending);
        queue.sort(QUEUE_ORDER);
        List<Placement> placements = new ArrayList<>();
        List<Unplaceable> unplaceable = new ArrayList<>();
        while (!queue.isEmpty()) {
            PendingSession session = policy.pickSession(Collections.unmodifiableList(queue), shares);
            removeSame(queue, session);
            switch (attempt(session, pool, policy)) {
                case Attempt.Placed placed -> {
                    placements.add(placed.placement());
                    if (policy.usesShares()) shares = shares.plus(session.accessKey(), session.totalSlots());
                }
                case Attempt.Refused refused -> {
                    unplaceable.add(refused.why());
                    if (!continueAfterUnplaceable) return new PassResult(placements, unplaceable);
                }
            }
        }
        return new PassResult(placements, unplaceable);
    }

    /** ALG-06 at the start of a pass: allocations in this group against the capacity of the agents that may get work. */
    private static Shares shares(List<AgentView> agents, List<Allocation> existing, Pool pool) {
        Set<String> inGroup = agents.stream().map(AgentView::agentId).collect(Collectors.toSet());
        return Shares.of(pool.totalCapacity(), existing.stream().filter(allocation -> inGroup.contains(allocation.agentId())).toList());
    }

    /** By identity: equals on records would compare the lists and maps of every session ahead of it. */
    private static void removeSame(List<PendingSession> queue, PendingSession picked) {
        for (int i = 0; i < queue.size(); i++) {
            if (queue.get(i) == picked) {
                queue.remove(i);
                return;
            }
        }
        throw new IllegalStateException("the policy picked " + picked.sessionId() + ", which is not in the queue");
    }

    /** Places the session and takes its slots from the pool, or leaves the pool as it was. */
    private static Attempt attempt(PendingSession session, Pool pool, Policy policy) {
        if (pool.isEmpty()) return new Attempt.Refused(Unplaceable.noFreshAgent(session));
        if (!pool.has(session.architecture())) return new Attempt.Refused(Unplaceable.noArchitecture(session));
        return session.multiNode() ? across(session, pool, policy) : together(session, pool, policy);
    }

    /** SCH-13: one agent takes all kernels. */
    private static Attempt together(PendingSession session, Pool pool, Policy policy) {
        Optional<String> agent = policy.agentForSession(pool.candidates(session.architecture()), session);
        if (agent.isEmpty()) return new Attempt.Refused(Unplaceable.noRoom(session));
        pool.take(agent.get(), session.totalSlots());
        return new Attempt.Placed(new Placement(session.sessionId(), Collections.nCopies(session.kernelIds().size(), agent.get())));
    }

    /** SCH-14: kernel by kernel, each seeing what the ones before took; if one finds no agent, all are given back. */
    private static Attempt across(PendingSession session, Pool pool, Policy policy) {
        Map<String, Candidate> before = new HashMap<>();
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < session.kernelIds().size(); i++) {
            Optional<String> agent = policy.agentForKernel(pool.candidates(session.architecture()), session);
            if (agent.isEmpty()) {
                pool.restore(before);
                return new Attempt.Refused(Unplaceable.noRoom(session));
            }
            before.putIfAbsent(agent.get(), pool.get(agent.get()));
            pool.take(agent.get(), session.perKernel());
            chosen.add(agent.get());
        }
        return new Attempt.Placed(new Placement(session.sessionId(), chosen));
    }

    private sealed interface Attempt {
        record Placed(Placement placement) implements Attempt {}

        record Refused(Unplaceable why) implements Attempt {}
    }

    /** The agents that may get work in this pass, with what is free on them so far. */
    private static final class Pool {

        /** Per architecture, in agent id order, so that every policy sees candidates in the same order. */
        private final Map<String, List<Candidate>> byArchitecture = new HashMap<>();
        /** Where each agent sits in its architecture's list, so that taking slots replaces it in place. */
        private final Map<String, Integer> positions = new HashMap<>();
        private final Map<String, String> architectures = new HashMap<>();

        Pool(List<AgentView> agents, long nowMs, Duration staleAfter) {
            agents.stream()
                    .filter(agent -> agent.schedulable() && nowMs - agent.lastSeenMs() <= staleAfter.toMillis())
                    .sorted(Comparator.comparing(AgentView::agentId))
                    .forEach(agent -> {
                        List<Candidate> same = byArchitecture.computeIfAbsent(agent.architecture(), arch -> new ArrayList<>());
                        positions.put(agent.agentId(), same.size());
                        architectures.put(agent.agentId(), agent.architecture());
                        same.add(new Candidate(agent.agentId(), agent.capacity(), agent.free()));
                    });
        }

        boolean isEmpty() {
            return positions.isEmpty();
        }

        boolean has(String architecture) {
            return byArchitecture.containsKey(architecture);
        }

        /** A read-only view, current until the next take. */
        List<Candidate> candidates(String architecture) {
            return Collections.unmodifiableList(byArchitecture.getOrDefault(architecture, List.of()));
        }

        /** SCH-04: the group's total capacity, whatever the architecture. */
        Map<String, Long> totalCapacity() {
            Map<String, Long> total = new HashMap<>();
            byArchitecture.values().forEach(same -> same.forEach(candidate ->
                    candidate.capacity().forEach((slot, amount) -> total.merge(slot, amount, Long::sum))));
            return total;
        }

        Candidate get(String agentId) {
            return byArchitecture.get(architectures.get(agentId)).get(positions.get(agentId));
        }

        void take(String agentId, Map<String, Long> slots) {
            put(get(agentId).minus(slots));
        }

        void restore(Map<String, Candidate> before) {
            before.values().forEach(this::put);
        }

        private void put(Candidate candidate) {
            byArchitecture.get(architectures.get(candidate.agentId())).set(positions.get(candidate.agentId()), candidate);
        }
    }
}
