package dev.berth.api.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.schema.avro.SetSchedulable;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AgentRoutesTest {

    /** Loading BerthSerdes makes Avro trust Berth's generated classes. */
    private static final Object AVRO_TRUST = BerthSerdes.KEY;
    private static final Instant AT = Instant.parse("2026-01-02T03:04:05.678Z");

    private static AgentHeartbeat beat(String id, String group, boolean schedulable) {
        return AgentHeartbeat.newBuilder()
                .setAgentId(id).setAt(AT).setScalingGroup(group).setAddress("10.0.0.7").setArchitecture("aarch64")
                .setRuntime("process").setVersion("0.1.0").setSchedulable(schedulable)
                .setCapacity(Map.of("cpu", 2500L, "mem", 2L << 30)).setOccupied(Map.of("cpu", 500L, "mem", 64L << 20))
                .setKernels(List.of("k1", "k2"))
                .build();
    }

    private static ProblemException refused(String body) {
        ProblemException problem = assertThrows(ProblemException.class, () -> AgentRoutes.schedulable(new JsonObject(body)));
        assertEquals(ProblemKind.INVALID_API_PARAMS, problem.kind(), problem.detail());
        return problem;
    }

    @Test
    @DisplayName("ADM-04 PATCH body: schedulable true or false is taken as it is")
    void schedulableBooleans() {
        assertFalse(AgentRoutes.schedulable(new JsonObject("{\"schedulable\": false}")));
        assertTrue(AgentRoutes.schedulable(new JsonObject("{\"schedulable\": true}")));
    }

    @Test
    @DisplayName("ERR-02 a PATCH body that is not one boolean schedulable is a 400 naming the field and what came")
    void schedulableRefusals() {
        assertEquals("schedulable must be true or false, got \"no\"", refused("{\"schedulable\": \"no\"}").detail());
        assertEquals("schedulable must be true or false, got 0", refused("{\"schedulable\": 0}").detail());
        assertEquals("schedulable must be true or false, got null", refused("{\"schedulable\": null}").detail());
        assertEquals("schedulable is required", refused("{}").detail());
        assertEquals("scalingGroup cannot be changed; updatable fields: schedulable",
                refused("{\"schedulable\": true, \"scalingGroup\": \"gpu\"}").detail());
    }

    @Test
    @DisplayName("the command is a SetSchedulable keyed for the agent, naming who asked, and it survives the wire")
    void command() {
        AgentCommand command = AgentRoutes.command("agent-7", false, "AKADMIN", AT, "c-1");

        assertEquals("agent-7", command.getAgentId());
        assertEquals(new SetSchedulable(false, "AKADMIN"), command.getOp());
        assertEquals(command, BerthSerdes.AGENT_COMMAND.deserialize("t", BerthSerdes.AGENT_COMMAND.serialize("t", command)));
    }

    @Test
    @DisplayName("AGT-01 an agent as the list shows it: slots in user units, the kernel count, LOST once its heartbeats stop")
    void agentJson() {
        JsonObject alive = AgentRoutes.json(beat("agent-7", "gpu", false), true);

        assertEquals("agent-7", alive.getString("id"));
        assertEquals("ALIVE", alive.getString("status"));
        assertEquals("gpu", alive.getString("scalingGroup"));
        assertFalse(alive.getBoolean("schedulable"));
        assertEquals(new JsonObject("{\"cpu\": 2.5, \"mem\": 2147483648}"), alive.getJsonObject("capacity"));
        assertEquals(new JsonObject("{\"cpu\": 0.5, \"mem\": 67108864}"), alive.getJsonObject("occupied"));
        assertEquals(2, alive.getInteger("kernelCount"));
        assertEquals("2026-01-02T03:04:05.678Z", alive.getString("lastHeartbeat"));
        assertEquals("aarch64", alive.getString("architecture"));
        assertEquals("0.1.0", alive.getString("version"));
        assertEquals("LOST", AgentRoutes.json(beat("agent-7", "gpu", false), false).getString("status"));
    }

    @Test
    @DisplayName("AGT-06 the list filters by scaling group and by a comma-separated list of statuses")
    void listFilters() {
        AgentHeartbeat gpuAlive = beat("a", "gpu", true);
        AgentHeartbeat gpuLost = beat("b", "gpu", true);
        AgentHeartbeat cpuAlive = beat("c", "default", true);
        Predicate<AgentHeartbeat> alive = beat -> !beat.getAgentId().equals("b");
        List<AgentHeartbeat> all = List.of(gpuAlive, gpuLost, cpuAlive);

        assertEquals(List.of(gpuAlive, gpuLost), all.stream().filter(AgentRoutes.filter(query("scalingGroup", "gpu"), alive)).toList());
        assertEquals(List.of(gpuLost), all.stream().filter(AgentRoutes.filter(query("status", "LOST"), alive)).toList());
        assertEquals(all, all.stream().filter(AgentRoutes.filter(query("status", "ALIVE, LOST"), alive)).toList());
        assertEquals(all, all.stream().filter(AgentRoutes.filter(MultiMap.caseInsensitiveMultiMap(), alive)).toList());
    }

    @Test
    @DisplayName("ERR-02 an unknown filter or status is a 400 naming it")
    void listRefusals() {
        ProblemException status = assertThrows(ProblemException.class, () -> AgentRoutes.filter(query("status", "ALIVE,GONE"), beat -> true));
        assertTrue(status.detail().startsWith("status must be a comma-separated list of ALIVE, LOST, got \"GONE\""), status.detail());
        ProblemException unknown = assertThrows(ProblemException.class, () -> AgentRoutes.filter(query("region", "eu"), beat -> true));
        assertTrue(unknown.detail().startsWith("region is not a filter of agents"), unknown.detail());
    }

    private static MultiMap query(String name, String value) {
        return MultiMap.caseInsensitiveMultiMap().add(name, value);
    }
}
