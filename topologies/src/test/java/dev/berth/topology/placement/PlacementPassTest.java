package dev.berth.topology.placement;

import static dev.berth.topology.placement.PassFixtures.GIB;
import static dev.berth.topology.placement.PassFixtures.NOW;
import static dev.berth.topology.placement.PassFixtures.STALE_AFTER;
import static dev.berth.topology.placement.PassFixtures.agent;
import static dev.berth.topology.placement.PassFixtures.busy;
import static dev.berth.topology.placement.PassFixtures.fifo;
import static dev.berth.topology.placement.PassFixtures.multi;
import static dev.berth.topology.placement.PassFixtures.placedIds;
import static dev.berth.topology.placement.PassFixtures.run;
import static dev.berth.topology.placement.PassFixtures.single;
import static dev.berth.topology.placement.PassFixtures.unplaceableIds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("PlacementPass: the SCH-04 loop with FIFO, whole sessions or nothing")
class PlacementPassTest {

    private static final String NO_ROOM = "Could not find a contiguous resource region in any agent big enough to host the session (%s)";

    @Test
    @DisplayName("ALG-03 sessions are served in enqueue order, whatever order the queue lists them in")
    void fifo_order() {
        // given: room for one of two equal sessions; the later one is listed first
        List<AgentView> agents = List.of(agent("a1", 1000, GIB));
        List<PendingSession> queue = List.of(single("late", NOW - 10, 1, 1000, GIB), single("early", NOW - 20, 1, 1000, GIB));
        // when
        PassResult result = fifo(queue, agents);
        // then
        assertEquals(List.of(new Placement("early", List.of("a1"))), result.placements());
        assertEquals(List.of("late"), unplaceableIds(result));
    }

    @Test
    @DisplayName("placements come out in pick order")
    void orderOfResult() {
        List<AgentView> agents = List.of(agent("a1", 8000, 8 * GIB));
        List<PendingSession> queue = List.of(single("c", NOW - 1, 1, 1000, GIB), single("a", NOW - 3, 1, 1000, GIB),
                single("b", NOW - 2, 1, 1000, GIB));
        assertEquals(List.of("a", "b", "c"), placedIds(fifo(queue, agents)));
    }

    @Test
    @DisplayName("AMB-05 continuing after an unplaceable session: it is recorded, and a smaller later one is placed")
    void continueAfterUnplaceable() {
        // given
        List<AgentView> agents = List.of(agent("a1", 2000, 4 * GIB));
        List<PendingSession> queue = List.of(single("big", NOW - 20, 1, 4000, GIB), single("small", NOW - 10, 1, 1000, GIB));
        // when
        PassResult result = run(Policy.FIFO, true, queue, agents, List.of());
        // then
        assertEquals(List.of(new Placement("small", List.of("a1"))), result.placements());
        assertEquals(List.of(new Unplaceable("big", NO_ROOM.formatted("big"))), result.unplaceable());
    }

    @Test
    @DisplayName("SCH-16 strict: the pass ends at the first unplaceable session; later ones are neither placed nor recorded")
    void endAtFirstUnplaceable() {
        // given: the same queue as when continuing
        List<AgentView> agents = List.of(agent("a1", 2000, 4 * GIB));
        List<PendingSession> queue = List.of(single("big", NOW - 20, 1, 4000, GIB), single("small", NOW - 10, 1, 1000, GIB));
        // when
        PassResult result = run(Policy.FIFO, false, queue, agents, List.of());
        // then
        assertEquals(List.of(), result.placements());
        assertEquals(List.of("big"), unplaceableIds(result));
    }

    @Test
    @DisplayName("SCH-16 strict: sessions placed before the unplaceable one stay placed")
    void keepWhatWasPlacedBefore() {
        List<AgentView> agents = List.of(agent("a1", 2000, 4 * GIB));
        List<PendingSession> queue = List.of(single("first", NOW - 30, 1, 1000, GIB), single("big", NOW - 20, 1, 4000, GIB),
                single("small", NOW - 10, 1, 1000, GIB));
        PassResult result = run(Policy.FIFO, false, queue, agents, List.of());
        assertEquals(List.of("first"), placedIds(result));
        assertEquals(List.of("big"), unplaceableIds(result));
    }

    @Test
    @DisplayName("invariant 1: sessions placed in one pass never add up to more than an agent's free slots")
    void capacityHeldAcrossAPass() {
        // given: 2 agents with room for 1 + 2 such sessions, and 6 sessions asking
        List<AgentView> agents = List.of(agent("a1", 3000, 8 * GIB), agent("a2", 4000, 3 * GIB));
        List<PendingSession> queue = new ArrayList<>();
        for (int i = 0; i < 6; i++) queue.add(single("s" + i, NOW - 100 + i, 1, 1500, 2 * GIB));
        // when
        PassResult result = fifo(queue, agents);
        // then: s0 on a2 (most free cpu), then a2 is short of memory
        assertEquals(List.of(new Placement("s0", List.of("a2")), new Placement("s1", List.of("a1")), new Placement("s2", List.of("a1"))),
                result.placements());
        assertEquals(List.of("s3", "s4", "s5"), unplaceableIds(result));
        assertWithinFree(queue, agents, result.placements());
    }

    @Test
    @DisplayName("SCH-13 a single-node cluster of 3 needs three times its slots on ONE agent")
    void singleNodeTogether() {
        List<AgentView> agents = List.of(agent("a1", 2000, 8 * GIB), agent("a2", 3000, 8 * GIB));
        PassResult result = fifo(List.of(single("s", NOW, 3, 1000, GIB)), agents);
        assertEquals(List.of(new Placement("s", List.of("a2", "a2", "a2"))), result.placements());
    }

    @Test
    @DisplayName("SCH-13 a single-node cluster is not split even when the agents together would have room")
    void singleNodeNeverSplit() {
        List<AgentView> agents = List.of(agent("a1", 2000, 8 * GIB), agent("a2", 2000, 8 * GIB));
        PassResult result = fifo(List.of(single("s", NOW, 3, 1000, GIB)), agents);
        assertEquals(List.of(), result.placements());
        assertEquals(List.of(new Unplaceable("s", NO_ROOM.formatted("s"))), result.unplaceable());
    }

    @Test
    @DisplayName("SCH-14 a multi-node cluster of 3 spreads kernel by kernel, each kernel seeing what the ones before took")
    void multiNodeSpread() {
        List<AgentView> agents = List.of(agent("a1", 1000, GIB), agent("a2", 1000, GIB), agent("a3", 1000, GIB));
        PassResult result = fifo(List.of(multi("m", NOW, 3, 1000, GIB)), agents);
        assertEquals(List.of(new Placement("m", List.of("a1", "a2", "a3"))), result.placements());
    }

    @Test
    @DisplayName("SCH-14 a multi-node cluster is all or nothing: if 2 of 3 fit, none is placed and nothing is taken")
    void multiNodeAllOrNothing() {
        // given: room for two of its three kernels, then a small session after it
        List<AgentView> agents = List.of(agent("a1", 1000, GIB), agent("a2", 1000, GIB));
        List<PendingSession> queue = List.of(multi("m", NOW - 20, 3, 1000, GIB), single("small", NOW - 10, 1, 1000, GIB));
        // when
        PassResult result = fifo(queue, agents);
        // then: the small session gets the first agent, which the failed cluster did not keep
        assertEquals(List.of(new Placement("small", List.of("a1"))), result.placements());
        assertEquals(List.of(new Unplaceable("m", NO_ROOM.formatted("m"))), result.unplaceable());
    }

    @Test
    @DisplayName("SCH-13 RES-11 an agent of another architecture is skipped")
    void architecture() {
        List<AgentView> agents = List.of(
                new AgentView("a1", "aarch64", true, NOW, Map.of("cpu", 8000L, "mem", 8 * GIB), Map.of("cpu", 8000L, "mem", 8 * GIB)),
                agent("a2", 8000, 8 * GIB));
        PassResult result = fifo(List.of(single("s", NOW, 1, 1000, GIB), multi("m", NOW + 1, 2, 1000, GIB)), agents);
        assertEquals(List.of(new Placement("s", List.of("a2")), new Placement("m", List.of("a2", "a2"))), result.placements());
    }

    @Test
    @DisplayName("ERR-05 SCH-13 a session whose architecture no agent has: \"No agents found compatible with image architecture (x86_64)\"")
    void noArchitecture() {
        List<AgentView> agents = List.of(
                new AgentView("a1", "aarch64", true, NOW, Map.of("cpu", 8000L, "mem", 8 * GIB), Map.of("cpu", 8000L, "mem", 8 * GIB)));
        PassResult result = fifo(List.of(single("s", NOW, 1, 1000, GIB), multi("m", NOW + 1, 2, 1000, GIB)), agents);
        assertEquals(List.of(), result.placements());
        assertEquals(List.of(new Unplaceable("s", "No agents found compatible with image architecture (x86_64)"),
                new Unplaceable("m", "No agents found compatible with image architecture (x86_64)")), result.unplaceable());
    }

    @Test
    @DisplayName("ERR-05 a session too big for every agent: \"Could not find a contiguous resource region ... (id)\"")
    void noRoomReason() {
        PassResult result = fifo(List.of(single("s-42", NOW, 1, 9000, GIB)), List.of(agent("a1", 8000, 8 * GIB)));
        assertEquals(List.of(new Unplaceable("s-42",
                "Could not find a contiguous resource region in any agent big enough to host the session (s-42)")), result.unplaceable());
    }

    @Test
    @DisplayName("SCH-04 an unschedulable agent gets no work")
    void unschedulable() {
        List<AgentView> agents = List.of(
                new AgentView("a1", "x86_64", false, NOW, Map.of("cpu", 8000L, "mem", 8 * GIB), Map.of("cpu", 8000L, "mem", 8 * GIB)),
                agent("a2", 1000, GIB));
        assertEquals(List.of(new Placement("s", List.of("a2"))), fifo(List.of(single("s", NOW, 1, 1000, GIB)), agents).placements());
    }

    @Test
    @DisplayName("SCH-04 with only unschedulable or stale agents a session is unplaceable: \"No schedulable agent with a fresh heartbeat\"")
    void noFreshAgent() {
        List<AgentView> agents = List.of(
                new AgentView("a1", "x86_64", false, NOW, Map.of("cpu", 8000L, "mem", 8 * GIB), Map.of("cpu", 8000L, "mem", 8 * GIB)),
                seenAt("a2", NOW - STALE_AFTER.toMillis() - 1));
        PassResult result = fifo(List.of(single("s", NOW, 1, 1000, GIB)), agents);
        assertEquals(List.of(), result.placements());
        assertEquals(List.of(new Unplaceable("s", "No schedulable agent with a fresh heartbeat")), result.unplaceable());
    }

    @Test
    @DisplayName("AGT-03 an agent silent for longer than staleAfter gets no work")
    void stale() {
        List<AgentView> agents = List.of(seenAt("a1", NOW - STALE_AFTER.toMillis() - 1), agent("a2", 1000, GIB));
        assertEquals(List.of(new Placement("s", List.of("a2"))), fifo(List.of(single("s", NOW, 1, 1000, GIB)), agents).placements());
    }

    @Test
    @DisplayName("AGT-03 an agent seen exactly staleAfter ago still gets work")
    void exactlyAtTheLimit() {
        List<AgentView> agents = List.of(seenAt("a1", NOW - STALE_AFTER.toMillis()));
        assertEquals(List.of(new Placement("s", List.of("a1"))), fifo(List.of(single("s", NOW, 1, 1000, GIB)), agents).placements());
    }

    @Test
    @DisplayName("ALG-02 RES-02 a slot the agent lacks (cuda.shares) counts as zero and cannot be satisfied")
    void missingSlot() {
        // given
        AgentView cpuOnly = agent("a1", 8000, 8 * GIB);
        AgentView gpu = agent("a2", Map.of("cpu", 8000L, "mem", 8 * GIB, "cuda.shares", 1000L));
        PendingSession wantsGpu = PassFixtures.session("g", NOW, false, 1, Map.of("cpu", 1000L, "mem", GIB, "cuda.shares", 500L), "ak", 0);
        // when / then
        assertEquals(List.of(new Placement("g", List.of("a2"))), fifo(List.of(wantsGpu), List.of(cpuOnly, gpu)).placements());
        assertEquals(List.of(), fifo(List.of(wantsGpu), List.of(cpuOnly)).placements());
    }

    @Test
    @DisplayName("ALG-02 a zero request for a slot the agent lacks is fine")
    void zeroRequestForMissingSlot() {
        PendingSession cpuOnly = PassFixtures.session("c", NOW, false, 1, Map.of("cpu", 1000L, "mem", GIB, "cuda.shares", 0L), "ak", 0);
        assertEquals(List.of(new Placement("c", List.of("a1"))), fifo(List.of(cpuOnly), List.of(agent("a1", 8000, 8 * GIB))).placements());
    }

    @Test
    @DisplayName("ALG-02 an agent holding more than it has of a slot takes no work, not even a job that asks none of that slot")
    void overcommittedAgent() {
        // given: a1 holds 3 GPU shares but now reports 2; a2 also has GPUs, and less free cpu than a1
        List<AgentView> agents = List.of(
                busy("a1", Map.of("cpu", 8000L, "mem", 8 * GIB, "cuda.shares", 2000L), Map.of("cpu", 8000L, "mem", 8 * GIB, "cuda.shares", -1000L)),
                agent("a2", Map.of("cpu", 1000L, "mem", GIB, "cuda.shares", 1000L)));
        // when
        PassResult result = fifo(List.of(single("s", NOW, 1, 1000, GIB)), agents);
        // then
        assertEquals(List.of(new Placement("s", List.of("a2"))), result.placements());
    }

    @Test
    @DisplayName("ALG-02 a request of exactly the free amount fits; one thousandth or one byte more does not")
    void exactFit() {
        List<AgentView> agents = List.of(busy("a1", Map.of("cpu", 4000L, "mem", 4 * GIB), Map.of("cpu", 1500L, "mem", GIB)));
        assertEquals(1, fifo(List.of(single("s", NOW, 1, 1500, GIB)), agents).placements().size());
        assertEquals(0, fifo(List.of(single("s", NOW, 1, 1501, GIB)), agents).placements().size());
        assertEquals(0, fifo(List.of(single("s", NOW, 1, 1500, GIB + 1)), agents).placements().size());
    }

    @Test
    @DisplayName("free is what counts: existing allocations are not taken off it a second time")
    void existingNotSubtractedAgain() {
        // given: 1 cpu of 4 free; the allocation holding the other 3 is passed as existing
        List<AgentView> agents = List.of(busy("a1", Map.of("cpu", 4000L, "mem", 4 * GIB), Map.of("cpu", 1000L, "mem", 3 * GIB)));
        List<Allocation> existing = List.of(new Allocation("other", "a1", Map.of("cpu", 3000L, "mem", GIB)));
        // when
        PassResult result = run(Policy.FIFO, true, List.of(single("s", NOW, 1, 1000, GIB)), agents, existing);
        // then
        assertEquals(List.of("s"), placedIds(result));
    }

    @Test
    @DisplayName("equal agents are chosen by id, whatever order they are listed in")
    void agentOrder() {
        List<AgentView> agents = List.of(agent("b", 8000, 8 * GIB), agent("a", 8000, 8 * GIB));
        assertEquals(List.of(new Placement("s", List.of("a"))), fifo(List.of(single("s", NOW, 1, 1000, GIB)), agents).placements());
    }

    @Test
    @DisplayName("sessions enqueued at the same time are served by id")
    void sameTime() {
        List<AgentView> agents = List.of(agent("a1", 1000, GIB));
        PassResult result = fifo(List.of(single("b", NOW, 1, 1000, GIB), single("a", NOW, 1, 1000, GIB)), agents);
        assertEquals(List.of("a"), placedIds(result));
    }

    @Test
    @DisplayName("an empty queue or an empty cluster places nothing")
    void empty() {
        assertEquals(new PassResult(List.of(), List.of()), fifo(List.of(), List.of(agent("a1", 1000, GIB))));
        assertEquals(List.of(), fifo(List.of(single("s", NOW, 1, 1000, GIB)), List.of()).placements());
    }

    private static AgentView seenAt(String id, long lastSeen) {
        Map<String, Long> slots = Map.of("cpu", 8000L, "mem", 8 * GIB);
        return new AgentView(id, "x86_64", true, lastSeen, slots, slots);
    }

    private static void assertWithinFree(List<PendingSession> queue, List<AgentView> agents, List<Placement> placements) {
        Map<String, PendingSession> byId = new HashMap<>();
        queue.forEach(session -> byId.put(session.sessionId(), session));
        Map<String, Map<String, Long>> used = new HashMap<>();
        for (Placement placement : placements) {
            for (String agentId : placement.agentIds()) {
                byId.get(placement.sessionId()).perKernel().forEach((slot, amount) ->
                        used.computeIfAbsent(agentId, a -> new HashMap<>()).merge(slot, amount, Long::sum));
            }
        }
        for (AgentView agent : agents) {
            used.getOrDefault(agent.agentId(), Map.of()).forEach((slot, amount) ->
                    assertTrue(amount <= agent.free().getOrDefault(slot, 0L), agent.agentId() + " " + slot + ": " + amount + " > free"));
        }
    }
}
