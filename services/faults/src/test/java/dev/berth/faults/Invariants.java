package dev.berth.faults;

import dev.berth.schema.Slots;
import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.schema.avro.CreateKernel;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.topology.lifecycle.Transitions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The design's invariants as pure functions over what a run left on the topics. Each returns the
 * violations it found, one line each, and an empty list when the invariant holds; the records are
 * in the order they were read, which keeps each key's records in the order they were written.
 *
 * <p>Times come from the records ({@code at}), written by processes on one machine, one clock. A
 * kernel holds its slots from its {@code CreateKernel} until the first terminal event of its
 * session; placement and admission hand slots and quota on only after that event, so intervals end
 * before the next ones begin, and at equal times an end counts first.
 */
final class Invariants {

    /** Statuses in which a placed session holds its slots and its quota. */
    private static final Set<SessionStatus> HOLDING = EnumSet.of(SessionStatus.SCHEDULED, SessionStatus.PULLING,
            SessionStatus.PREPARING, SessionStatus.RUNNING, SessionStatus.RESTARTING, SessionStatus.TERMINATING);

    private static final Set<SessionEventKind> TERMINAL_KINDS = EnumSet.of(SessionEventKind.TERMINATED, SessionEventKind.CANCELLED,
            SessionEventKind.ERROR);

    private Invariants() {}

    /** Invariant 1: replaying every kernel placed on an agent and every session end, no slot of any agent is ever over its capacity. */
    static List<String> withinCapacity(List<AgentCommand> commands, List<SessionEvent> events, Map<String, Map<String, Long>> capacity) {
        Map<String, Instant> ends = firstEnds(events);
        Map<String, List<Change>> byAgent = new HashMap<>();
        for (AgentCommand command : commands) {
            if (!(command.getOp() instanceof CreateKernel create)) continue;
            Instant from = command.getAt();
            Instant end = ends.get(create.getSessionId());
            List<Change> changes = byAgent.computeIfAbsent(command.getAgentId(), a -> new ArrayList<>());
            changes.add(new Change(from, create.getResources(), 1, create.getKernelId()));
            // a session cancelled before placement saw it may end "before" its create: it held the slots for no time
            if (end != null) changes.add(new Change(end.isBefore(from) ? from : end, create.getResources(), -1, create.getKernelId()));
        }
        List<String> violations = new ArrayList<>();
        byAgent.forEach((agent, changes) -> {
            Map<String, Long> limit = capacity.get(agent);
            if (limit == null) {
                violations.add(agent + " was given kernels but never sent a heartbeat");
                return;
            }
            Map<String, Long> held = new HashMap<>();
            for (Change change : sorted(changes)) {
                held = Slots.combine(held, change.slots(), change.sign());
                for (var slot : held.entrySet()) {
                    if (slot.getValue() > limit.getOrDefault(slot.getKey(), 0L)) {
                        violations.add(agent + " holds " + slot.getValue() + " " + slot.getKey() + " of " + limit.getOrDefault(slot.getKey(), 0L)
                                + " at " + change.at() + " (after " + (change.sign() > 0 ? "placing " : "releasing ") + change.kernelId() + ")");
                    }
                }
            }
        });
        return violations;
    }

    /** Invariant 1, by the agents' own count: no heartbeat reports more occupied than its capacity in any slot. */
    static List<String> heartbeatsWithinCapacity(List<AgentHeartbeat> heartbeats) {
        List<String> violations = new ArrayList<>();
        for (AgentHeartbeat beat : heartbeats) {
            beat.getOccupied().forEach((slot, used) -> {
                long capacity = beat.getCapacity().getOrDefault(slot, 0L);
                if (used > capacity) violations.add(beat.getAgentId() + " reported " + used + " " + slot + " of " + capacity + " at " + beat.getAt());
            });
        }
        return violations;
    }

    /** Invariant 2 (a keypair's concurrency limit): at no time hold more of its sessions than {@code limit}. */
    static List<String> withinConcurrency(List<SessionEvent> events, String accessKey, int limit) {
        Map<String, Instant> starts = new LinkedHashMap<>();
        Map<String, Instant> ends = new HashMap<>();
        for (SessionEvent event : events) {
            if (!accessKey.equals(event.getSession().getAccessKey())) continue;
            String id = event.getSessionId();
            SessionStatus status = event.getSession().getStatus();
            if (HOLDING.contains(status)) starts.putIfAbsent(id, event.getAt());
            if (Transitions.isTerminal(status)) ends.putIfAbsent(id, event.getAt());
        }
        List<Change> changes = new ArrayList<>();
        starts.forEach((id, at) -> {
            changes.add(new Change(at, Map.of(), 1, id));
            Instant end = ends.get(id);
            if (end != null) changes.add(new Change(end.isBefore(at) ? at : end, Map.of(), -1, id));
        });
        List<String> violations = new ArrayList<>();
        int running = 0;
        for (Change change : sorted(changes)) {
            running += change.sign();
            if (running > limit) violations.add(running + " sessions of " + accessKey + " held at " + change.at() + " (limit " + limit + ", after " + change.kernelId() + ")");
        }
        return violations;
    }

    /** Invariant 3, no double start: each kernel is created once, on one agent. */
    static List<String> startedOnce(List<AgentCommand> commands) {
        Map<String, List<String>> agentsByKernel = new LinkedHashMap<>();
        for (AgentCommand command : commands) {
            if (command.getOp() instanceof CreateKernel create) {
                agentsByKernel.computeIfAbsent(create.getKernelId(), k -> new ArrayList<>()).add(command.getAgentId());
            }
        }
        List<String> violations = new ArrayList<>();
        agentsByKernel.forEach((kernel, agents) -> {
            if (agents.size() > 1) violations.add("kernel " + kernel + " was created " + agents.size() + " times, on " + agents);
        });
        return violations;
    }

    /**
     * Invariant 3, nothing lost, nothing ended twice: every accepted session has events, reaches
     * exactly one terminal state (or is in one of {@code alsoSettled}), and never leaves it.
     */
    static List<String> settledOnce(Collection<String> accepted, List<SessionEvent> events, Set<SessionStatus> alsoSettled) {
        Map<String, List<SessionEvent>> bySession = bySession(events);
        List<String> violations = new ArrayList<>();
        for (String id : accepted) {
            List<SessionEvent> history = bySession.get(id);
            if (history == null) {
                violations.add("accepted session " + id + " has no event: it was lost");
                continue;
            }
            long terminal = history.stream().filter(e -> TERMINAL_KINDS.contains(e.getKind())).count();
            SessionStatus last = history.getLast().getSession().getStatus();
            if (terminal > 1) violations.add("session " + id + " ended " + terminal + " times: " + statuses(history));
            if (Transitions.isTerminal(last) && terminal == 0) violations.add("session " + id + " is " + last + " without a terminal event: " + statuses(history));
            if (!Transitions.isTerminal(last) && !alsoSettled.contains(last)) {
                violations.add("session " + id + " never settled, last " + last + ": " + statuses(history));
            }
            boolean ended = false;
            for (SessionEvent event : history) {
                SessionStatus status = event.getSession().getStatus();
                if (ended && !Transitions.isTerminal(status)) violations.add("session " + id + " left its terminal state for " + status + ": " + statuses(history));
                ended |= Transitions.isTerminal(status);
            }
        }
        return violations;
    }

    /**
     * Invariant 5: each session's events arrive with strictly growing versions (none repeated, none
     * out of order) and each change of status is one the lifecycle's transition map allows.
     */
    static List<String> inOrder(List<SessionEvent> events) {
        List<String> violations = new ArrayList<>();
        bySession(events).forEach((id, history) -> {
            for (int i = 1; i < history.size(); i++) {
                var before = history.get(i - 1).getSession();
                var after = history.get(i).getSession();
                if (after.getVersion() <= before.getVersion()) {
                    violations.add("session " + id + ": version " + after.getVersion() + " after " + before.getVersion());
                }
                if (after.getStatus() != before.getStatus() && !Transitions.allowed(before.getStatus(), after.getStatus())) {
                    violations.add("session " + id + ": " + before.getStatus() + " -> " + after.getStatus() + " is not a transition");
                }
            }
        });
        return violations;
    }

    /**
     * Invariant 4 once everything has ended: per agent, what was allocated minus what was released
     * is nothing, and the agent's latest heartbeat, sent after the end, says it runs nothing.
     */
    static List<String> reconciled(List<AgentCommand> commands, List<SessionEvent> events, Map<String, AgentHeartbeat> latest) {
        Map<String, Instant> ends = firstEnds(events);
        Map<String, Map<String, Long>> net = new HashMap<>();
        for (AgentCommand command : commands) {
            if (!(command.getOp() instanceof CreateKernel create)) continue;
            int sign = ends.containsKey(create.getSessionId()) ? 0 : 1; // allocated, and released if its session ended
            net.compute(command.getAgentId(), (agent, held) -> Slots.combine(held == null ? Map.of() : held, create.getResources(), sign));
        }
        List<String> violations = new ArrayList<>();
        net.forEach((agent, slots) -> slots.forEach((slot, amount) -> {
            if (amount != 0) violations.add(agent + " still has " + amount + " " + slot + " allocated and not released");
        }));
        latest.forEach((agent, beat) -> {
            if (!beat.getKernels().isEmpty()) violations.add(agent + " still runs " + beat.getKernels());
            beat.getOccupied().forEach((slot, used) -> {
                if (used != 0) violations.add(agent + " still reports " + used + " " + slot + " occupied");
            });
        });
        return violations;
    }

    /** The capacity each agent last reported. */
    static Map<String, Map<String, Long>> capacities(List<AgentHeartbeat> heartbeats) {
        Map<String, Map<String, Long>> capacity = new HashMap<>();
        for (AgentHeartbeat beat : heartbeats) capacity.put(beat.getAgentId(), beat.getCapacity());
        return capacity;
    }

    private static Map<String, Instant> firstEnds(List<SessionEvent> events) {
        Map<String, Instant> ends = new HashMap<>();
        for (SessionEvent event : events) {
            if (Transitions.isTerminal(event.getSession().getStatus())) ends.putIfAbsent(event.getSessionId(), event.getAt());
        }
        return ends;
    }

    private static Map<String, List<SessionEvent>> bySession(List<SessionEvent> events) {
        Map<String, List<SessionEvent>> bySession = new LinkedHashMap<>();
        for (SessionEvent event : events) bySession.computeIfAbsent(event.getSessionId(), id -> new ArrayList<>()).add(event);
        return bySession;
    }

    private static List<String> statuses(List<SessionEvent> history) {
        return history.stream().map(e -> e.getKind() + "@" + e.getSession().getVersion()).toList();
    }

    /** Ends before starts at the same instant: a slot given back may be handed on at once. */
    private static List<Change> sorted(List<Change> changes) {
        return changes.stream().sorted(Comparator.comparing(Change::at).thenComparingInt(Change::sign)).toList();
    }

    /** {@code slots} taken (+1) or given back (-1) at {@code at}, by the kernel or session {@code kernelId}. */
    private record Change(Instant at, Map<String, Long> slots, int sign, String kernelId) {}
}
