package dev.berth.topology.placement;

import static dev.berth.topology.placement.PassFixtures.GIB;
import static dev.berth.topology.placement.PassFixtures.NOW;
import static dev.berth.topology.placement.PassFixtures.agent;
import static dev.berth.topology.placement.PassFixtures.owned;
import static dev.berth.topology.placement.PassFixtures.placedIds;
import static dev.berth.topology.placement.PassFixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("DRF: the access key with the smallest dominant share goes first (ALG-06)")
class DrfPolicyTest {

    /** A group of 10 cpu and 10 GiB, so that shares read as tenths. */
    private static final List<AgentView> GROUP = List.of(agent("a1", 10_000, 10 * GIB));
    /** Room for anything queued here, in a second group that holds no allocations. */
    private static final List<AgentView> ROOMY = List.of(agent("a1", 10_000, 10 * GIB), agent("a2", 100_000, 100 * GIB));

    @Test
    @DisplayName("ALG-06 the oldest session of the key with the smallest dominant share goes first, ahead of an older session")
    void smallestShareFirst() {
        // given: A holds 35% of cpu; B holds 10% of cpu and 30% of mem (dominant 30%); A's session is older
        List<Allocation> existing = List.of(new Allocation("A", "a1", Map.of("cpu", 3500L)),
                new Allocation("B", "a1", Map.of("cpu", 1000L, "mem", 3 * GIB)));
        List<PendingSession> queue = List.of(owned("a1", NOW - 20, "A", 100, GIB / 100), owned("b1", NOW - 10, "B", 100, GIB / 100));
        // when
        PassResult result = run(Policy.DRF, true, queue, GROUP, existing);
        // then: B's 30% < A's 35%; a sum of fractions (B 40%) would have put A first
        assertEquals(List.of("b1", "a1"), placedIds(result));
    }

    @Test
    @DisplayName("ALG-06 the dominant share is the largest fraction over all slots, not the cpu fraction")
    void dominantIsTheLargestSlot() {
        // given: A holds 10% of cpu; B holds 5% of cpu but 40% of mem
        List<Allocation> existing = List.of(new Allocation("A", "a1", Map.of("cpu", 1000L)),
                new Allocation("B", "a1", Map.of("cpu", 500L, "mem", 4 * GIB)));
        List<PendingSession> queue = List.of(owned("b1", NOW - 20, "B", 100, GIB / 100), owned("a1", NOW - 10, "A", 100, GIB / 100));
        // when
        PassResult result = run(Policy.DRF, true, queue, GROUP, existing);
        // then
        assertEquals(List.of("a1", "b1"), placedIds(result));
    }

    @Test
    @DisplayName("ALG-06 a key's share sums all of its allocations")
    void sharesAddUp() {
        // given: A holds 20% of cpu in two allocations of 10%; B holds 15%
        List<Allocation> existing = List.of(new Allocation("A", "a1", Map.of("cpu", 1000L)), new Allocation("A", "a1", Map.of("cpu", 1000L)),
                new Allocation("B", "a1", Map.of("cpu", 1500L)));
        List<PendingSession> queue = List.of(owned("a1", NOW - 20, "A", 100, GIB / 100), owned("b1", NOW - 10, "B", 100, GIB / 100));
        assertEquals(List.of("b1", "a1"), placedIds(run(Policy.DRF, true, queue, GROUP, existing)));
    }

    @Test
    @DisplayName("ALG-06 a placement raises its key's share within the pass: A, A, B queued with nothing running go A, B, A")
    void shareRaisedWithinThePass() {
        List<PendingSession> queue = List.of(owned("a-first", NOW - 30, "A", 1000, GIB), owned("a-second", NOW - 20, "A", 1000, GIB),
                owned("b-only", NOW - 10, "B", 1000, GIB));
        PassResult result = run(Policy.DRF, true, queue, ROOMY, List.of());
        assertEquals(List.of("a-first", "b-only", "a-second"), placedIds(result));
    }

    @Test
    @DisplayName("ALG-06 a session that could not be placed does not raise its key's share")
    void unplacedDoesNotRaise() {
        // given: A's first session is too big for any agent
        List<PendingSession> queue = List.of(owned("a-huge", NOW - 30, "A", 1_000_000, GIB), owned("a-small", NOW - 20, "A", 1000, GIB),
                owned("b-only", NOW - 10, "B", 1000, GIB));
        // when
        PassResult result = run(Policy.DRF, true, queue, ROOMY, List.of());
        // then: A still has share 0 and is older, so its small session goes before B's
        assertEquals(List.of("a-small", "b-only"), placedIds(result));
    }

    @Test
    @DisplayName("ALG-06 slots the group has no capacity of are left out of shares")
    void zeroCapacitySlotsSkipped() {
        // given: B holds GPU shares in a group without GPUs (left over from an agent now gone); A holds 10% of cpu
        List<Allocation> existing = List.of(new Allocation("A", "a1", Map.of("cpu", 1000L)),
                new Allocation("B", "a1", Map.of("cuda.shares", 1000L)));
        List<PendingSession> queue = List.of(owned("a1", NOW - 20, "A", 100, GIB / 100), owned("b1", NOW - 10, "B", 100, GIB / 100));
        // when
        PassResult result = run(Policy.DRF, true, queue, GROUP, existing);
        // then
        assertEquals(List.of("b1", "a1"), placedIds(result));
    }

    @Test
    @DisplayName("ALG-06 allocations on agents outside the group do not count")
    void otherGroupsIgnored() {
        List<Allocation> existing = List.of(new Allocation("A", "elsewhere", Map.of("cpu", 9000L)));
        List<PendingSession> queue = List.of(owned("a1", NOW - 20, "A", 100, GIB / 100), owned("b1", NOW - 10, "B", 100, GIB / 100));
        assertEquals(List.of("a1", "b1"), placedIds(run(Policy.DRF, true, queue, GROUP, existing)));
    }

    @Test
    @DisplayName("ALG-06 SCH-04 the group's total capacity is that of its schedulable agents with a fresh heartbeat")
    void totalOfSchedulableAgents() {
        // given: A holds 50% of cpu and B 37.5% of mem on a1; an unschedulable agent with 100 cpu would shrink A's share to 4%
        List<AgentView> agents = List.of(agent("a1", 8000, 8 * GIB),
                new AgentView("off", "x86_64", false, NOW, Map.of("cpu", 100_000L), Map.of("cpu", 100_000L)));
        List<Allocation> existing = List.of(new Allocation("A", "a1", Map.of("cpu", 4000L)), new Allocation("B", "a1", Map.of("mem", 3 * GIB)));
        List<PendingSession> queue = List.of(owned("a1", NOW - 20, "A", 100, GIB / 100), owned("b1", NOW - 10, "B", 100, GIB / 100));
        // when
        PassResult result = run(Policy.DRF, true, queue, agents, existing);
        // then
        assertEquals(List.of("b1", "a1"), placedIds(result));
    }

    @Test
    @DisplayName("ALG-06 DRF places on the agent with the most free, extra slot types or not")
    void mostFreeAgent() {
        List<AgentView> agents = List.of(agent("a-gpu", Map.of("cpu", 8000L, "mem", 8 * GIB, "cuda.shares", 1000L)),
                agent("b-cpu", 4000, 8 * GIB));
        PassResult result = run(Policy.DRF, true, List.of(owned("s", NOW, "A", 1000, GIB)), agents, List.of());
        assertEquals(List.of(new Placement("s", List.of("a-gpu"))), result.placements());
    }

    @Test
    @DisplayName("ALG-06 shares compare exactly, also where a double would round two different shares alike")
    void exactShares() {
        // 2^53 + 1 and 2^53 are the same double
        assertTrue(new Shares.Share((1L << 53) + 1, 1L << 60).compareTo(new Shares.Share(1L << 53, 1L << 60)) > 0);
        assertEquals(0, new Shares.Share(1, 2).compareTo(new Shares.Share(2, 4)));
        assertTrue(new Shares.Share(1, 3).compareTo(new Shares.Share(333_334, 1_000_000)) < 0);
    }

    @Test
    @DisplayName("ALG-06 a key without allocations has share zero")
    void noAllocationsNoShare() {
        Shares shares = Shares.of(Map.of("cpu", 3000L), List.of(new Allocation("A", "a1", Map.of("cpu", 1000L))));
        assertEquals(0, shares.dominant("C").compareTo(new Shares.Share(0, 7)));
        assertTrue(shares.dominant("A").compareTo(shares.dominant("C")) > 0);
    }
}
