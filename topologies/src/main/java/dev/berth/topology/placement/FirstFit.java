package dev.berth.topology.placement;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * First-fit placement: sessions in FIFO order, each on the first agent (by id) where it fits.
 * A single-node session needs one agent with room for all its kernels; a multi-node session is
 * placed kernel by kernel, all or nothing. A session that does not fit is skipped, not blocking.
 */
public final class FirstFit {

    private FirstFit() {}

    public static List<Placement> place(List<PendingSession> queue, List<AgentView> agents, long nowMs, Duration staleAfter) {
        Map<String, Map<String, Long>> free = new LinkedHashMap<>();
        Map<String, String> architecture = new HashMap<>();
        agents.stream()
                .filter(agent -> agent.schedulable() && nowMs - agent.lastSeenMs() <= staleAfter.toMillis())
                .sorted(Comparator.comparing(AgentView::agentId))
                .forEach(agent -> {
                    free.put(agent.agentId(), new HashMap<>(agent.free()));
                    architecture.put(agent.agentId(), agent.architecture());
                });

        List<PendingSession> ordered = new ArrayList<>(queue);
        ordered.sort(Comparator.comparingLong(PendingSession::enqueuedAtMs).thenComparing(PendingSession::sessionId));

        List<Placement> placements = new ArrayList<>();
        for (PendingSession session : ordered) {
            List<String> chosen = session.multiNode()
                    ? placeAcross(session, free, architecture)
                    : placeTogether(session, free, architecture);
            if (chosen == null) continue;
            for (String agentId : chosen) take(free.get(agentId), session.perKernel());
            placements.add(new Placement(session.sessionId(), chosen));
        }
        return placements;
    }

    private static List<String> placeTogether(PendingSession session, Map<String, Map<String, Long>> free, Map<String, String> architecture) {
        int kernels = session.kernelIds().size();
        for (var agent : free.entrySet()) {
            if (!architecture.get(agent.getKey()).equals(session.architecture())) continue;
            if (fits(agent.getValue(), session.perKernel(), kernels)) {
                return java.util.Collections.nCopies(kernels, agent.getKey());
            }
        }
        return null;
    }

    private static List<String> placeAcross(PendingSession session, Map<String, Map<String, Long>> free, Map<String, String> architecture) {
        // a scratch copy, so that a session that does not fully fit leaves nothing taken
        Map<String, Map<String, Long>> scratch = new LinkedHashMap<>();
        free.forEach((agent, slots) -> scratch.put(agent, new HashMap<>(slots)));
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < session.kernelIds().size(); i++) {
            String found = null;
            for (var agent : scratch.entrySet()) {
                if (architecture.get(agent.getKey()).equals(session.architecture()) && fits(agent.getValue(), session.perKernel(), 1)) {
                    found = agent.getKey();
                    break;
                }
            }
            if (found == null) return null;
            take(scratch.get(found), session.perKernel());
            chosen.add(found);
        }
        return chosen;
    }

    static boolean fits(Map<String, Long> free, Map<String, Long> request, int times) {
        for (var slot : request.entrySet()) {
            long wanted = slot.getValue() * times;
            if (wanted > 0 && free.getOrDefault(slot.getKey(), 0L) < wanted) return false;
        }
        return true;
    }

    private static void take(Map<String, Long> free, Map<String, Long> request) {
        request.forEach((slot, amount) -> free.merge(slot, -amount, Long::sum));
    }
}
