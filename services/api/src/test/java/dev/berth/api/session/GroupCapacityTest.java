package dev.berth.api.session;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.api.resource.AgentView;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.ClusterMode;
import dev.berth.schema.avro.SessionSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class GroupCapacityTest {

    /** Loading BerthSerdes makes Avro trust Berth's generated classes, which the spec builder needs for its enum defaults. */
    private static final Object AVRO_TRUST = BerthSerdes.KEY;
    private static final long GIB = 1L << 30;
    /** 4 cpus and 8g, half of it taken: only capacity counts. */
    private static final AgentView.Agent BIG = agent("big", "g", Map.of("cpu", 4000L, "mem", 8 * GIB), Map.of("cpu", 2000L, "mem", 4 * GIB));
    private static final AgentView.Agent SMALL = agent("small", "g", Map.of("cpu", 2000L, "mem", 2 * GIB), Map.of());
    private static final AgentView.Agent ELSEWHERE = agent("elsewhere", "other", Map.of("cpu", 64_000L, "mem", 256 * GIB), Map.of());

    private static AgentView.Agent agent(String id, String group, Map<String, Long> capacity, Map<String, Long> occupied) {
        return new AgentView.Agent(id, group, true, capacity, occupied);
    }

    private static SessionSpec spec(ClusterMode mode, int size, Map<String, Long> perKernel) {
        return SessionSpec.newBuilder().setName("capacity-test").setImage("python:3.12").setScalingGroup("g")
                .setClusterMode(mode).setClusterSize(size).setResources(perKernel).build();
    }

    private static ProblemException refused(SessionSpec spec, List<AgentView.Agent> agents) {
        ProblemException problem = assertThrows(ProblemException.class, () -> GroupCapacity.requireCouldHold(spec, agents));
        assertEquals(ProblemKind.INVALID_API_PARAMS, problem.kind(), problem.detail());
        return problem;
    }

    @Test
    @DisplayName("SCH-13 single-node: one agent's capacity must hold clusterSize × the per-kernel slots, whatever it holds now")
    void singleNode() {
        Map<String, Long> perKernel = Map.of("cpu", 1000L, "mem", GIB);
        assertDoesNotThrow(() -> GroupCapacity.requireCouldHold(spec(ClusterMode.SINGLE_NODE, 4, perKernel), List.of(BIG, SMALL)),
                "4 kernels of 1 cpu fit the big agent's capacity, though half of it is taken");

        ProblemException problem = refused(spec(ClusterMode.SINGLE_NODE, 5, perKernel), List.of(BIG, SMALL, ELSEWHERE));
        assertTrue(problem.detail().startsWith("clusterSize 5 in single-node mode needs one agent with {cpu=5, mem=5g}"), problem.detail());
        assertTrue(problem.detail().contains("the largest, big, has capacity {cpu=4, mem=8g}, room for 4"), problem.detail());
    }

    @Test
    @DisplayName("SCH-14 multi-node: kernels fit across the agents by capacity, several on one agent as placement allows")
    void multiNode() {
        Map<String, Long> perKernel = Map.of("cpu", 1000L, "mem", GIB);
        assertDoesNotThrow(() -> GroupCapacity.requireCouldHold(spec(ClusterMode.MULTI_NODE, 6, perKernel), List.of(BIG, SMALL)),
                "4 on the big agent and 2 on the small one");

        ProblemException problem = refused(spec(ClusterMode.MULTI_NODE, 7, perKernel), List.of(BIG, SMALL, ELSEWHERE));
        assertTrue(problem.detail().startsWith("clusterSize 7 in multi-node mode"), problem.detail());
        assertTrue(problem.detail().contains("the 2 agent(s) of scaling group \"g\" can hold by capacity, 6 in all"), problem.detail());
        assertTrue(problem.detail().contains("the largest, big, has capacity {cpu=4, mem=8g}, room for 4"), problem.detail());
    }

    @Test
    @DisplayName("a kernel above every agent's capacity names the slot and the largest capacity, before any clusterSize check")
    void kernelAboveEveryAgent() {
        ProblemException problem = refused(spec(ClusterMode.MULTI_NODE, 1, Map.of("cpu", 4500L, "mem", GIB)), List.of(BIG, SMALL, ELSEWHERE));
        assertEquals("resources.cpu 4.5 is above the capacity of every agent of scaling group \"g\": the largest, big, has 4", problem.detail());

        ProblemException both = refused(spec(ClusterMode.SINGLE_NODE, 3, Map.of("cpu", 8000L, "mem", 16 * GIB)), List.of(BIG, SMALL));
        assertTrue(both.detail().contains("resources.cpu 8 is above") && both.detail().contains("resources.mem 16g is above"), both.detail());
        assertTrue(both.detail().contains("the largest, big, has 8g"), both.detail());
    }

    @Test
    @DisplayName("an accelerator slot (cuda.shares) no agent has enough of, or has at all, is refused naming it")
    void acceleratorSlot() {
        AgentView.Agent gpu = agent("gpu-1", "g", Map.of("cpu", 8000L, "mem", 32 * GIB, "cuda.shares", 2000L), Map.of());
        Map<String, Long> twoShares = Map.of("cpu", 1000L, "mem", GIB, "cuda.shares", 2000L);
        assertDoesNotThrow(() -> GroupCapacity.requireCouldHold(spec(ClusterMode.SINGLE_NODE, 1, twoShares), List.of(gpu, SMALL)));

        ProblemException more = refused(spec(ClusterMode.SINGLE_NODE, 1, Map.of("cpu", 1000L, "mem", GIB, "cuda.shares", 2500L)),
                List.of(gpu, SMALL));
        assertEquals("resources.cuda.shares 2.5 is above the capacity of every agent of scaling group \"g\": the largest, gpu-1, has 2",
                more.detail());
        ProblemException none = refused(spec(ClusterMode.SINGLE_NODE, 1, twoShares), List.of(BIG, SMALL));
        assertTrue(none.detail().startsWith("resources.cuda.shares 2 is above the capacity of every agent"), none.detail());
        assertTrue(none.detail().endsWith("has 0"), "an agent without the slot has none of it: " + none.detail());

        ProblemException two = refused(spec(ClusterMode.SINGLE_NODE, 2, twoShares), List.of(gpu, SMALL));
        assertTrue(two.detail().startsWith("clusterSize 2 in single-node mode needs one agent with {cpu=2, cuda.shares=4, mem=2g}"), two.detail());
    }

    @Test
    @DisplayName("a kernel within every slot's largest capacity, but on no one agent, names the slots the closest agent lacks")
    void noSingleAgentHasEverySlot() {
        AgentView.Agent cpus = agent("cpus", "g", Map.of("cpu", 16_000L, "mem", GIB), Map.of());
        AgentView.Agent memory = agent("memory", "g", Map.of("cpu", 1000L, "mem", 64 * GIB), Map.of());
        ProblemException problem = refused(spec(ClusterMode.SINGLE_NODE, 1, Map.of("cpu", 8000L, "mem", 8 * GIB)), List.of(memory, cpus));
        assertEquals("resources {cpu=8, mem=8g} per kernel fit no single agent of scaling group \"g\" by capacity; the closest, cpus,"
                + " has capacity {cpu=16, mem=1g}, short of resources.mem", problem.detail());
    }

    @Test
    @DisplayName("no live agent in the group accepts any size: the session waits PENDING for agents to join")
    void noAgentsAccepts() {
        SessionSpec huge = spec(ClusterMode.SINGLE_NODE, 64, Map.of("cpu", 1_000_000L, "mem", 1024 * GIB, "cuda.shares", 8000L));
        assertDoesNotThrow(() -> GroupCapacity.requireCouldHold(huge, List.of()));
        assertDoesNotThrow(() -> GroupCapacity.requireCouldHold(huge, List.of(ELSEWHERE)), "only agents of other groups are live");
    }

    @Test
    @DisplayName("an unschedulable agent's capacity counts: an admin may make it schedulable again")
    void unschedulableAgentsCount() {
        AgentView.Agent drained = new AgentView.Agent("drained", "g", false, Map.of("cpu", 16_000L, "mem", 64 * GIB), Map.of());
        assertDoesNotThrow(() -> GroupCapacity.requireCouldHold(spec(ClusterMode.SINGLE_NODE, 2, Map.of("cpu", 8000L, "mem", GIB)),
                List.of(SMALL, drained)));
    }

    @Test
    @DisplayName("kernels held by capacity: the scarcest slot decides; slots the kernel asks none of do not")
    void kernelsPerAgent() {
        assertEquals(4, GroupCapacity.kernels(BIG, Map.of("cpu", 1000L, "mem", GIB)));
        assertEquals(2, GroupCapacity.kernels(BIG, Map.of("cpu", 500L, "mem", 4 * GIB)));
        assertEquals(0, GroupCapacity.kernels(BIG, Map.of("cpu", 500L, "cuda.shares", 1000L)));
        assertEquals(8, GroupCapacity.kernels(BIG, Map.of("cpu", 500L, "cuda.shares", 0L)));
    }
}
