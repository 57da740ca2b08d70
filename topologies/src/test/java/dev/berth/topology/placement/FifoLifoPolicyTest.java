package dev.berth.topology.placement;

import static dev.berth.topology.placement.PassFixtures.GIB;
import static dev.berth.topology.placement.PassFixtures.NOW;
import static dev.berth.topology.placement.PassFixtures.agent;
import static dev.berth.topology.placement.PassFixtures.placedIds;
import static dev.berth.topology.placement.PassFixtures.retried;
import static dev.berth.topology.placement.PassFixtures.run;
import static dev.berth.topology.placement.PassFixtures.single;
import static dev.berth.topology.placement.PassFixtures.unplaceableIds;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("FIFO and LIFO: which session goes first (ALG-03, ALG-04) and onto which agent (ALG-05)")
class FifoLifoPolicyTest {

    /** Room for one 1-cpu session. */
    private static final List<AgentView> ONE_SLOT = List.of(agent("a1", 1000, GIB));

    @Test
    @DisplayName("ALG-03 strict FIFO (num_retries_to_skip 0): the oldest session is tried first however often it failed")
    void strictFifoBlocks() {
        // given: the oldest session never fits and already failed 5 times
        List<PendingSession> queue = List.of(retried("stuck", NOW - 20, 5, 4000, GIB), retried("fits", NOW - 10, 0, 1000, GIB));
        // when
        PassResult result = run(Policy.fifo(0), false, queue, ONE_SLOT, List.of());
        // then: head-of-line blocking
        assertEquals(List.of(), result.placements());
        assertEquals(List.of("stuck"), unplaceableIds(result));
    }

    @Test
    @DisplayName("ALG-03 num_retries_to_skip 2: a session retried twice waits behind a later one, then is tried as the first skipped")
    void skipRetried() {
        List<PendingSession> queue = List.of(retried("stuck", NOW - 20, 2, 4000, GIB), retried("fits", NOW - 10, 0, 1000, GIB));
        PassResult result = run(Policy.fifo(2), false, queue, ONE_SLOT, List.of());
        assertEquals(List.of("fits"), placedIds(result));
        assertEquals(List.of("stuck"), unplaceableIds(result));
    }

    @Test
    @DisplayName("ALG-03 num_retries_to_skip 2: a session retried once is not skipped")
    void belowTheLimitNotSkipped() {
        List<PendingSession> queue = List.of(retried("stuck", NOW - 20, 1, 4000, GIB), retried("fits", NOW - 10, 0, 1000, GIB));
        PassResult result = run(Policy.fifo(2), false, queue, ONE_SLOT, List.of());
        assertEquals(List.of(), result.placements());
        assertEquals(List.of("stuck"), unplaceableIds(result));
    }

    @Test
    @DisplayName("ALG-03 when every session is skipped, the first skipped (the oldest) is picked")
    void allSkipped() {
        // given: all retried at least twice; room for one
        List<PendingSession> queue = List.of(retried("new", NOW - 10, 4, 1000, GIB), retried("old", NOW - 30, 3, 1000, GIB),
                retried("mid", NOW - 20, 2, 1000, GIB));
        // when
        PassResult result = run(Policy.fifo(2), false, queue, ONE_SLOT, List.of());
        // then: old placed, then mid picked and not placed, which ends the pass
        assertEquals(List.of("old"), placedIds(result));
        assertEquals(List.of("mid"), unplaceableIds(result));
    }

    @Test
    @DisplayName("ALG-04 LIFO serves the newest session first")
    void lifoNewestFirst() {
        List<PendingSession> queue = List.of(single("old", NOW - 20, 1, 1000, GIB), single("new", NOW - 10, 1, 1000, GIB),
                single("mid", NOW - 15, 1, 1000, GIB));
        assertEquals(List.of("new"), placedIds(run(Policy.LIFO, false, queue, ONE_SLOT, List.of())));
        assertEquals(List.of("new", "mid", "old"),
                placedIds(run(Policy.LIFO, true, queue, List.of(agent("a1", 8000, 8 * GIB)), List.of())));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fifo", "lifo"})
    @DisplayName("ALG-05 a CPU job avoids the GPU agent when both fit, though the GPU agent has more free")
    void avoidExtraSlotTypes(String policy) {
        List<AgentView> agents = List.of(agent("a-gpu", Map.of("cpu", 16000L, "mem", 32 * GIB, "cuda.shares", 4000L)),
                agent("b-cpu", 4000, 4 * GIB));
        PassResult result = run(Policy.parse(policy), true, List.of(single("s", NOW, 1, 1000, GIB)), agents, List.of());
        assertEquals(List.of(new Placement("s", List.of("b-cpu"))), result.placements());
    }

    @Test
    @DisplayName("ALG-05 a GPU job still goes to the GPU agent")
    void gpuJobOnGpuAgent() {
        List<AgentView> agents = List.of(agent("a-gpu", Map.of("cpu", 4000L, "mem", 4 * GIB, "cuda.shares", 4000L)),
                agent("b-cpu", 16000, 32 * GIB));
        PendingSession gpuJob = PassFixtures.session("g", NOW, false, 1, Map.of("cpu", 1000L, "mem", GIB, "cuda.shares", 1000L), "ak", 0);
        assertEquals(List.of(new Placement("g", List.of("a-gpu"))), run(Policy.FIFO, true, List.of(gpuJob), agents, List.of()).placements());
    }

    @Test
    @DisplayName("ALG-05 AMB-16 among agents with as many extra slot types: the most free cpu, then the most free mem")
    void mostFreeCpuThenMem() {
        List<AgentView> agents = List.of(agent("x", 4000, 2 * GIB), agent("y", 2000, 8 * GIB), agent("z", 4000, 4 * GIB));
        PassResult result = run(Policy.FIFO, true, List.of(single("s", NOW, 1, 1000, GIB)), agents, List.of());
        assertEquals(List.of(new Placement("s", List.of("z"))), result.placements());
    }

    @Test
    @DisplayName("ALG-05 slots the request does not name do not rank agents: then the agent id decides")
    void onlyRequestedSlotsRank() {
        // given: both agents have one extra slot type; b has more of it
        List<AgentView> agents = List.of(agent("b", Map.of("cpu", 4000L, "mem", 4 * GIB, "cuda.shares", 4000L)),
                agent("a", Map.of("cpu", 4000L, "mem", 4 * GIB, "cuda.shares", 1000L)));
        // when
        PassResult result = run(Policy.FIFO, true, List.of(single("s", NOW, 1, 1000, GIB)), agents, List.of());
        // then
        assertEquals(List.of(new Placement("s", List.of("a"))), result.placements());
    }
}
