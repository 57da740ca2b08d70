package dev.berth.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.BerthConfig;
import dev.berth.common.Env;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class InstancePlanTest {

    private static final Path STATE = Path.of("/var/lib/berth");

    private static List<InstancePlan> plan(Map<String, String> settings, int instances) {
        Env env = new Env(settings);
        return InstancePlan.of(env, new BerthConfig("", "", 4, STATE, 1, "node"), instances);
    }

    @Test
    @DisplayName("EVT-07 each instance has its own node id, state directory, agent id and the next API port")
    void instancesDiffer() {
        List<InstancePlan> plans = plan(Map.of(), 3);
        assertEquals(List.of("node-1", "node-2", "node-3"), plans.stream().map(InstancePlan::instanceId).toList());
        assertEquals(List.of(8080, 8081, 8082), plans.stream().map(InstancePlan::apiPort).toList());
        assertEquals(List.of("local-1", "local-2", "local-3"), plans.stream().map(InstancePlan::agentId).toList());
        assertEquals(List.of(STATE.resolve("instances/1"), STATE.resolve("instances/2"), STATE.resolve("instances/3")),
                plans.stream().map(InstancePlan::stateDir).toList());
    }

    @Test
    @DisplayName("BERTH_API_PORT and BERTH_AGENT_ID are the bases; port 0 lets every instance take a free port")
    void basesFromTheEnvironment() {
        List<InstancePlan> plans = plan(Map.of("BERTH_API_PORT", "9000", "BERTH_AGENT_ID", "gpu"), 2);
        assertEquals(List.of(9000, 9001), plans.stream().map(InstancePlan::apiPort).toList());
        assertEquals(List.of("gpu-1", "gpu-2"), plans.stream().map(InstancePlan::agentId).toList());
        assertEquals(List.of(0, 0), plan(Map.of("BERTH_API_PORT", "0"), 2).stream().map(InstancePlan::apiPort).toList());
        IllegalArgumentException tooHigh = assertThrows(IllegalArgumentException.class, () -> plan(Map.of("BERTH_API_PORT", "65535"), 2));
        assertTrue(tooHigh.getMessage().contains("BERTH_API_PORT"), tooHigh.getMessage());
    }

    @Test
    @DisplayName("an instance's environment names the cluster's broker, its own settings and the runtime chosen once")
    void environment() {
        InstancePlan second = plan(Map.of(), 2).get(1);
        Map<String, String> env = second.environment(Map.of("BERTH_PG_SCHEMA", "s", "BERTH_STATE_DIR", "/elsewhere", "BERTH_INSTANCES", "9"),
                "127.0.0.1:19092", 2, new RuntimeChoice("docker", "test"), "unix:///run/docker.sock");
        assertEquals("s", env.get("BERTH_PG_SCHEMA"), "the launcher's settings are passed on");
        assertEquals("127.0.0.1:19092", env.get("BERTH_KAFKA_BOOTSTRAP"));
        assertEquals("2", env.get("BERTH_INSTANCES"));
        assertEquals("node-2", env.get("BERTH_INSTANCE_ID"));
        assertEquals(STATE.resolve("instances/2").toString(), env.get("BERTH_STATE_DIR"));
        assertEquals("8081", env.get("BERTH_API_PORT"));
        assertEquals("local-2", env.get("BERTH_AGENT_ID"));
        assertEquals("docker", env.get("BERTH_AGENT_RUNTIME"));
        assertEquals("unix:///run/docker.sock", env.get("BERTH_DOCKER_HOST"));
        assertFalse(second.environment(Map.of(), "b", 2, new RuntimeChoice("process", "test"), null).containsKey("BERTH_DOCKER_HOST"));
    }
}
