package dev.berth.topology.placement;

import static dev.berth.topology.placement.PassFixtures.GIB;
import static dev.berth.topology.placement.PassFixtures.NOW;
import static dev.berth.topology.placement.PassFixtures.agent;
import static dev.berth.topology.placement.PassFixtures.busy;
import static dev.berth.topology.placement.PassFixtures.placedIds;
import static dev.berth.topology.placement.PassFixtures.run;
import static dev.berth.topology.placement.PassFixtures.single;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("MOF: the oldest session onto the agent with the least occupied slots (ALG-07)")
class MofPolicyTest {

    @Test
    @DisplayName("ALG-07 the agent with the least occupied slots wins over the one with the most free")
    void leastOccupied() {
        // given: big has 8 cpu free but 8 occupied; small has 3 free and 1 occupied
        List<AgentView> agents = List.of(busy("big", Map.of("cpu", 16_000L, "mem", 16 * GIB), Map.of("cpu", 8000L, "mem", 8 * GIB)),
                busy("small", Map.of("cpu", 4000L, "mem", 4 * GIB), Map.of("cpu", 3000L, "mem", 3 * GIB)));
        // when
        PassResult result = run(Policy.MOF, true, List.of(single("s", NOW, 1, 1000, GIB)), agents, List.of());
        // then
        assertEquals(List.of(new Placement("s", List.of("small"))), result.placements());
    }

    @Test
    @DisplayName("ALG-07 what the pass placed counts as occupied: two sessions onto two idle agents spread")
    void occupancyWithinThePass() {
        List<AgentView> agents = List.of(agent("a", 8000, 8 * GIB), agent("b", 8000, 8 * GIB));
        PassResult result = run(Policy.MOF, true, List.of(single("s1", NOW - 2, 1, 1000, GIB), single("s2", NOW - 1, 1, 1000, GIB)),
                agents, List.of());
        assertEquals(List.of(new Placement("s1", List.of("a")), new Placement("s2", List.of("b"))), result.placements());
    }

    @Test
    @DisplayName("ALG-07 AMB-16 occupancy ranks by cpu before mem")
    void cpuBeforeMem() {
        // given: x occupies 1 cpu and 7 GiB, y occupies 2 cpu and 1 GiB: neither is below the other in every slot
        List<AgentView> agents = List.of(busy("x", Map.of("cpu", 8000L, "mem", 8 * GIB), Map.of("cpu", 7000L, "mem", GIB)),
                busy("y", Map.of("cpu", 8000L, "mem", 8 * GIB), Map.of("cpu", 6000L, "mem", 7 * GIB)));
        // when
        PassResult result = run(Policy.MOF, true, List.of(single("s", NOW, 1, 1000, GIB / 2)), agents, List.of());
        // then
        assertEquals(List.of(new Placement("s", List.of("x"))), result.placements());
    }

    @Test
    @DisplayName("ALG-07 the oldest session is picked first")
    void oldestFirst() {
        List<PendingSession> queue = List.of(single("new", NOW - 10, 1, 1000, GIB), single("old", NOW - 20, 1, 1000, GIB));
        assertEquals(List.of("old"), placedIds(run(Policy.MOF, false, queue, List.of(agent("a1", 1000, GIB)), List.of())));
    }
}
