package dev.berth.topology.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("FirstFit: FIFO sessions onto the first agent (by id) with room")
class FirstFitTest {

    private static final long NOW = 1_700_000_000_000L;
    private static final Duration STALE_AFTER = Duration.ofSeconds(40);
    private static final long GIB = 1L << 30;

    @Test
    @DisplayName("sessions are served in enqueue order, whatever order the queue lists them in")
    void fifo() {
        // given: room for one of two equal sessions; the later one is listed first
        List<AgentView> agents = List.of(agent("a1", 1000, GIB));
        List<PendingSession> queue = List.of(single("late", NOW - 10, 1, 1000, GIB), single("early", NOW - 20, 1, 1000, GIB));
        // when
        List<Placement> placements = FirstFit.place(queue, agents, NOW, STALE_AFTER);
        // then
        assertEquals(List.of(new Placement("early", List.of("a1"))), placements);
    }

    @Test
    @DisplayName("placements come out in enqueue order")
    void orderOfResult() {
        List<AgentView> agents = List.of(agent("a1", 8000, 8 * GIB));
        List<PendingSession> queue = List.of(single("c", NOW - 1, 1, 1000, GIB), single("a", NOW - 3, 1, 1000, GIB),
                single("b", NOW - 2, 1, 1000, GIB));
        assertEquals(List.of("a", "b", "c"), FirstFit.place(queue, agents, NOW, STALE_AFTER).stream().map(Placement::sessionId).toList());
    }

    @Test
    @DisplayName("a session that does not fit is skipped, and a smaller later one is placed")
    void skipNotBlock() {
        // given
        List<AgentView> agents = List.of(agent("a1", 2000, 4 * GIB));
        List<PendingSession> queue = List.of(single("big", NOW - 20, 1, 4000, GIB), single("small", NOW - 10, 1, 1000, GIB));
        // when
        List<Placement> placements = FirstFit.place(queue, agents, NOW, STALE_AFTER);
        // then
        assertEquals(List.of(new Placement("small", List.of("a1"))), placements);
    }

    @Test
    @DisplayName("invariant 1: sessions placed in one pass never add up to more than an agent's free slots")
    void capacityHeldAcrossAPass() {
        // given: 2 agents with room for 2 + 1 such sessions, and 6 sessions asking
        List<AgentView> agents = List.of(agent("a1", 3000, 8 * GIB), agent("a2", 4000, 3 * GIB));
        List<PendingSession> queue = new ArrayList<>();
        for (int i = 0; i < 6; i++) queue.add(single("s" + i, NOW - 100 + i, 1, 1500, 2 * GIB));
        // when
        List<Placement> placements = FirstFit.place(queue, agents, NOW, STALE_AFTER);
        // then
        assertEquals(List.of(new Placement("s0", List.of("a1")), new Placement("s1", List.of("a1")), new Placement("s2", List.of("a2"))),
                placements);
        assertWithinFree(queue, agents, placements);
    }

    @Test
    @DisplayName("SCH-13 a single-node cluster of 3 needs three times its slots on ONE agent")
    void singleNodeTogether() {
        // given
        List<AgentView> agents = List.of(agent("a1", 2000, 8 * GIB), agent("a2", 3000, 8 * GIB));
        // when
        List<Placement> placements = FirstFit.place(List.of(single("s", NOW, 3, 1000, GIB)), agents, NOW, STALE_AFTER);
        // then
        assertEquals(List.of(new Placement("s", List.of("a2", "a2", "a2"))), placements);
    }

    @Test
    @DisplayName("SCH-13 a single-node cluster is not split even when the agents together would have room")
    void singleNodeNeverSplit() {
        List<AgentView> agents = List.of(agent("a1", 2000, 8 * GIB), agent("a2", 2000, 8 * GIB));
        assertEquals(List.of(), FirstFit.place(List.of(single("s", NOW, 3, 1000, GIB)), agents, NOW, STALE_AFTER));
    }

    @Test
    @DisplayName("SCH-14 a multi-node cluster of 3 spreads kernel by kernel across agents")
    void multiNodeSpread() {
        // given
        List<AgentView> agents = List.of(agent("a1", 1000, GIB), agent("a2", 1000, GIB), agent("a3", 1000, GIB));
        // when
        List<Placement> placements = FirstFit.place(List.of(multi("m", NOW, 3, 1000, GIB)), agents, NOW, STALE_AFTER);
        // then
        assertEquals(List.of(new Placement("m", List.of("a1", "a2", "a3"))), placements);
    }

    @Test
    @DisplayName("SCH-14 a multi-node cluster is all or nothing: if 2 of 3 fit, none is placed and nothing is taken")
    void multiNodeAllOrNothing() {
        // given: room for two of its three kernels, then a small session after it
        List<AgentView> agents = List.of(agent("a1", 1000, GIB), agent("a2", 1000, GIB));
        List<PendingSession> queue = List.of(multi("m", NOW - 20, 3, 1000, GIB), single("small", NOW - 10, 1, 1000, GIB));
        // when
        List<Placement> placements = FirstFit.place(queue, agents, NOW, STALE_AFTER);
        // then: the small session gets the first agent, which the failed cluster did not keep
        assertEquals(List.of(new Placement("small", List.of("a1"))), placements);
    }

    @Test
    @DisplayName("SCH-13 RES-11 an agent of another architecture is skipped")
    void architecture() {
        // given
        List<AgentView> agents = List.of(
                new AgentView("a1", "aarch64", true, NOW, Map.of("cpu", 8000L, "mem", 8 * GIB)),
                new AgentView("a2", "x86_64", true, NOW, Map.of("cpu", 8000L, "mem", 8 * GIB)));
        // when
        List<Placement> placements = FirstFit.place(List.of(single("s", NOW, 1, 1000, GIB), multi("m", NOW + 1, 2, 1000, GIB)),
                agents, NOW, STALE_AFTER);
        // then
        assertEquals(List.of(new Placement("s", List.of("a2")), new Placement("m", List.of("a2", "a2"))), placements);
    }

    @Test
    @DisplayName("SCH-13 a session whose architecture no agent has is not placed")
    void noArchitecture() {
        List<AgentView> agents = List.of(new AgentView("a1", "aarch64", true, NOW, Map.of("cpu", 8000L, "mem", 8 * GIB)));
        assertEquals(List.of(), FirstFit.place(List.of(single("s", NOW, 1, 1000, GIB)), agents, NOW, STALE_AFTER));
    }

    @Test
    @DisplayName("SCH-13 an unschedulable agent gets no work")
    void unschedulable() {
        List<AgentView> agents = List.of(
                new AgentView("a1", "x86_64", false, NOW, Map.of("cpu", 8000L, "mem", 8 * GIB)),
                agent("a2", 8000, 8 * GIB));
        assertEquals(List.of(new Placement("s", List.of("a2"))),
                FirstFit.place(List.of(single("s", NOW, 1, 1000, GIB)), agents, NOW, STALE_AFTER));
    }

    @Test
    @DisplayName("AGT-03 an agent silent for longer than staleAfter gets no work")
    void stale() {
        List<AgentView> agents = List.of(seenAt("a1", NOW - STALE_AFTER.toMillis() - 1));
        assertEquals(List.of(), FirstFit.place(List.of(single("s", NOW, 1, 1000, GIB)), agents, NOW, STALE_AFTER));
    }

    @Test
    @DisplayName("AGT-03 an agent seen exactly staleAfter ago still gets work")
    void exactlyAtTheLimit() {
        List<AgentView> agents = List.of(seenAt("a1", NOW - STALE_AFTER.toMillis()));
        assertEquals(List.of(new Placement("s", List.of("a1"))),
                FirstFit.place(List.of(single("s", NOW, 1, 1000, GIB)), agents, NOW, STALE_AFTER));
    }

    @Test
    @DisplayName("ALG-02 RES-02 a slot the agent lacks (cuda.shares) counts as zero and cannot be satisfied")
    void missingSlot() {
        // given
        List<AgentView> agents = List.of(agent("a1", 8000, 8 * GIB),
                new AgentView("a2", "x86_64", true, NOW, Map.of("cpu", 8000L, "mem", 8 * GIB, "cuda.shares", 1000L)));
        PendingSession gpu = new PendingSession("g", NOW, "x86_64", false, List.of("k0"),
                Map.of("cpu", 1000L, "mem", GIB, "cuda.shares", 500L));
        // when
        List<Placement> placements = FirstFit.place(List.of(gpu), agents, NOW, STALE_AFTER);
        // then
        assertEquals(List.of(new Placement("g", List.of("a2"))), placements);
        assertEquals(List.of(), FirstFit.place(List.of(gpu), List.of(agent("a1", 8000, 8 * GIB)), NOW, STALE_AFTER));
    }

    @Test
    @DisplayName("ALG-02 a zero request for a slot the agent lacks is fine")
    void zeroRequestForMissingSlot() {
        PendingSession cpuOnly = new PendingSession("c", NOW, "x86_64", false, List.of("k0"),
                Map.of("cpu", 1000L, "mem", GIB, "cuda.shares", 0L));
        assertEquals(List.of(new Placement("c", List.of("a1"))),
                FirstFit.place(List.of(cpuOnly), List.of(agent("a1", 8000, 8 * GIB)), NOW, STALE_AFTER));
    }

    @Test
    @DisplayName("ALG-02 a request of exactly the free amount fits; one thousandth more does not")
    void exactFit() {
        List<AgentView> agents = List.of(agent("a1", 1500, GIB));
        assertEquals(1, FirstFit.place(List.of(single("s", NOW, 1, 1500, GIB)), agents, NOW, STALE_AFTER).size());
        assertEquals(0, FirstFit.place(List.of(single("s", NOW, 1, 1501, GIB)), agents, NOW, STALE_AFTER).size());
        assertEquals(0, FirstFit.place(List.of(single("s", NOW, 1, 1500, GIB + 1)), agents, NOW, STALE_AFTER).size());
    }

    @Test
    @DisplayName("agents are tried in id order, whatever order they are listed in")
    void agentOrder() {
        List<AgentView> agents = List.of(agent("b", 8000, 8 * GIB), agent("a", 8000, 8 * GIB));
        assertEquals(List.of(new Placement("s", List.of("a"))),
                FirstFit.place(List.of(single("s", NOW, 1, 1000, GIB)), agents, NOW, STALE_AFTER));
    }

    @Test
    @DisplayName("an empty queue or an empty cluster places nothing")
    void empty() {
        assertEquals(List.of(), FirstFit.place(List.of(), List.of(agent("a1", 1000, GIB)), NOW, STALE_AFTER));
        assertEquals(List.of(), FirstFit.place(List.of(single("s", NOW, 1, 1000, GIB)), List.of(), NOW, STALE_AFTER));
    }

    // ---- builders

    private static AgentView agent(String id, long cpu, long mem) {
        return new AgentView(id, "x86_64", true, NOW, Map.of("cpu", cpu, "mem", mem));
    }

    private static AgentView seenAt(String id, long lastSeen) {
        return new AgentView(id, "x86_64", true, lastSeen, Map.of("cpu", 8000L, "mem", 8 * GIB));
    }

    private static PendingSession single(String id, long enqueuedAt, int kernels, long cpu, long mem) {
        return new PendingSession(id, enqueuedAt, "x86_64", false, kernelIds(id, kernels), Map.of("cpu", cpu, "mem", mem));
    }

    private static PendingSession multi(String id, long enqueuedAt, int kernels, long cpu, long mem) {
        return new PendingSession(id, enqueuedAt, "x86_64", true, kernelIds(id, kernels), Map.of("cpu", cpu, "mem", mem));
    }

    private static List<String> kernelIds(String sessionId, int kernels) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < kernels; i++) ids.add(sessionId + "-k" + i);
        return ids;
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
