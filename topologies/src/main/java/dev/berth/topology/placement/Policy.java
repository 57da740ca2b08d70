package dev.berth.topology.placement;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A scaling group's scheduling algorithm (ALG-01): which pending session goes next, and onto which agent.
 * Pure: everything a policy looks at is passed in, so a pass can be replayed. Agent choice only ever
 * looks at agents that fit (ALG-02) and breaks ties by agent id.
 */
public sealed interface Policy {

    Policy FIFO = new Fifo(0);
    Policy LIFO = new Lifo();
    Policy DRF = new Drf();
    Policy MOF = new Mof();

    /** A policy by its configured name: fifo, lifo, drf or mof, in any case. FIFO skips nothing. */
    static Policy parse(String name) {
        return switch (name == null ? "" : name.toLowerCase(Locale.ROOT)) {
            case "fifo" -> FIFO;
            case "lifo" -> LIFO;
            case "drf" -> DRF;
            case "mof" -> MOF;
            default -> throw new IllegalArgumentException(
                    "unknown scheduler \"" + name + "\"; allowed: fifo, lifo, drf, mof");
        };
    }

    /** ALG-03 FIFO with {@code num_retries_to_skip}; 0 is strict FIFO. */
    static Policy fifo(int numRetriesToSkip) {
        return new Fifo(numRetriesToSkip);
    }

    /** ALG-01 pick_session: the session to try next, from a non-empty queue in enqueue order (oldest first). */
    PendingSession pickSession(List<PendingSession> queue, Shares shares);

    /** Whether picks depend on {@link Shares}; a pass computes them only then, from the existing allocations. */
    default boolean usesShares() {
        return false;
    }

    /** How agents that all fit {@code request} rank, best first. */
    Comparator<Candidate> preference(Map<String, Long> request);

    /** ALG-01 assign_agent_for_session: one agent for all kernels of a single-node session together (SCH-13). */
    default Optional<String> agentForSession(List<Candidate> candidates, PendingSession session) {
        return choose(candidates, session.totalSlots());
    }

    /** ALG-01 assign_agent_for_kernel: an agent for one kernel of a multi-node session (SCH-14). */
    default Optional<String> agentForKernel(List<Candidate> candidates, PendingSession session) {
        return choose(candidates, session.perKernel());
    }

    private Optional<String> choose(List<Candidate> candidates, Map<String, Long> request) {
        Comparator<Candidate> order = preference(request).thenComparing(Candidate::agentId);
        Candidate best = null;
        for (Candidate candidate : candidates) {
            if (candidate.fits(request) && (best == null || order.compare(candidate, best) < 0)) best = candidate;
        }
        return Optional.ofNullable(best).map(Candidate::agentId);
    }

    /** ALG-05: an agent without slot types the request does not use, then the most free in the requested slots. */
    private static Comparator<Candidate> fewestExtrasThenMostFree(Map<String, Long> request) {
        return Comparator.<Candidate>comparingInt(candidate -> candidate.extraSlotTypes(request))
                .thenComparing(Candidate::free, SlotOrder.over(request.keySet()).reversed());
    }

    /**
     * ALG-03: the oldest session; with {@code numRetriesToSkip > 0}, sessions that already failed that often
     * wait behind later ones, so one unplaceable session does not block the queue forever.
     */
    record Fifo(int numRetriesToSkip) implements Policy {

        public Fifo {
            if (numRetriesToSkip < 0) {
                throw new IllegalArgumentException("num_retries_to_skip must not be negative, got " + numRetriesToSkip);
            }
        }

        @Override
        public PendingSession pickSession(List<PendingSession> queue, Shares shares) {
            if (numRetriesToSkip > 0) {
                for (PendingSession session : queue) {
                    if (session.retries() < numRetriesToSkip) return session;
                }
            }
            // strict FIFO, or everything skipped: the first skipped is the oldest
            return queue.getFirst();
        }

        @Override
        public Comparator<Candidate> preference(Map<String, Long> request) {
            return fewestExtrasThenMostFree(request);
        }
    }

    /** ALG-04: the newest session; agents as FIFO. */
    record Lifo() implements Policy {

        @Override
        public PendingSession pickSession(List<PendingSession> queue, Shares shares) {
            return queue.getLast();
        }

        @Override
        public Comparator<Candidate> preference(Map<String, Long> request) {
            return fewestExtrasThenMostFree(request);
        }
    }

    /**
     * ALG-06 dominant resource fairness: the oldest session of the access key with the smallest dominant share
     * (on a tie, the key whose oldest session is older); the agent with the most free.
     */
    record Drf() implements Policy {

        @Override
        public boolean usesShares() {
            return true;
        }

        @Override
        public PendingSession pickSession(List<PendingSession> queue, Shares shares) {
            Map<String, Shares.Share> byKey = new HashMap<>();
            PendingSession picked = queue.getFirst();
            Shares.Share smallest = byKey.computeIfAbsent(picked.accessKey(), shares::dominant);
            for (PendingSession session : queue) {
                Shares.Share share = byKey.computeIfAbsent(session.accessKey(), shares::dominant);
                if (share.compareTo(smallest) < 0) {
                    picked = session;
                    smallest = share;
                }
            }
            return picked;
        }

        @Override
        public Comparator<Candidate> preference(Map<String, Long> request) {
            return Comparator.comparing(Candidate::free, SlotOrder.VECTORS.reversed());
        }
    }

    /** ALG-07 minimum occupied slots first: the oldest session, on the agent with the least occupied. */
    record Mof() implements Policy {

        @Override
        public PendingSession pickSession(List<PendingSession> queue, Shares shares) {
            return queue.getFirst();
        }

        @Override
        public Comparator<Candidate> preference(Map<String, Long> request) {
            return Comparator.comparing(Candidate::occupied, SlotOrder.VECTORS);
        }
    }
}
