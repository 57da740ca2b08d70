package dev.berth.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.Env;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentConfigTest {

    @Test
    @DisplayName("with nothing set, an agent is local-1 in the default group with the machine's cores and memory")
    void defaults() {
        AgentConfig config = AgentConfig.from(new Env(Map.of()));

        assertEquals("local-1", config.agentId());
        assertEquals("default", config.scalingGroup());
        assertEquals(Runtime.getRuntime().availableProcessors() * 1000L, config.capacity().get("cpu"));
        assertTrue(config.capacity().get("mem") > 0, "physical memory is known");
        assertEquals(Duration.ofSeconds(2), config.heartbeatInterval());
        assertEquals(Duration.ofSeconds(5), config.killGrace());
        assertEquals(0, config.opsPort(), "no ops server unless asked for");
    }

    @Test
    @DisplayName("settings are parsed into slot units: cpu in thousandths, memory in bytes")
    void parsesEverySetting() {
        AgentConfig config = AgentConfig.from(new Env(Map.of(
                "BERTH_AGENT_ID", "gpu-7",
                "BERTH_SCALING_GROUP", "batch",
                "BERTH_AGENT_CPU", "2.5",
                "BERTH_AGENT_MEM", "8g",
                "BERTH_AGENT_HEARTBEAT", "500ms",
                "BERTH_AGENT_KILL_GRACE", "0s",
                "BERTH_AGENT_OPS_PORT", "9100")));

        assertEquals("gpu-7", config.agentId());
        assertEquals("batch", config.scalingGroup());
        assertEquals(Map.of("cpu", 2500L, "mem", 8L << 30), config.capacity());
        assertEquals(Duration.ofMillis(500), config.heartbeatInterval());
        assertEquals(Duration.ZERO, config.killGrace());
        assertEquals(9100, config.opsPort());
    }

    @Test
    @DisplayName("a standalone agent gets its own default ops port, and an explicit port still wins")
    void standaloneOpsPort() {
        assertEquals(8091, AgentConfig.from(new Env(Map.of()), 8091).opsPort());
        assertEquals(0, AgentConfig.from(new Env(Map.of("BERTH_AGENT_OPS_PORT", "0")), 8091).opsPort());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
            "BERTH_AGENT_ID, ../etc",
            "BERTH_AGENT_CPU, many",
            "BERTH_AGENT_CPU, 0",
            "BERTH_AGENT_CPU, -2",
            "BERTH_AGENT_CPU, 1.0005",
            "BERTH_AGENT_MEM, lots",
            "BERTH_AGENT_MEM, 0",
            "BERTH_AGENT_HEARTBEAT, soon",
            "BERTH_AGENT_HEARTBEAT, 0s",
            "BERTH_AGENT_KILL_GRACE, -1s",
            "BERTH_AGENT_OPS_PORT, 70000",
    })
    @DisplayName("a bad value fails at start with a message that names the variable")
    void badValueNamesTheVariable(String key, String value) {
        var error = assertThrows(IllegalArgumentException.class, () -> AgentConfig.from(new Env(Map.of(key, value))));

        assertTrue(error.getMessage().startsWith(key + " "), "message names " + key + ": " + error.getMessage());
    }
}
