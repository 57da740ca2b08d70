package dev.berth.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.Env;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
    @DisplayName("runtime settings: process by default, the engine, pull timeout, stats interval, Redis, drain and detach")
    void runtimeSettings() {
        AgentConfig defaults = AgentConfig.from(new Env(Map.of()));
        assertEquals("process", defaults.runtime());
        assertEquals(null, defaults.dockerHost());
        assertEquals(Duration.ofSeconds(5), defaults.statsInterval());
        assertEquals("127.0.0.1", defaults.redisHost());
        assertEquals(16379, defaults.redisPort());
        assertTrue(defaults.schedulable());
        assertTrue(!defaults.detachOnExit());

        AgentConfig set = AgentConfig.from(new Env(Map.of(
                "BERTH_AGENT_RUNTIME", "docker",
                "DOCKER_HOST", "unix:///run/other.sock",
                "BERTH_AGENT_PULL_TIMEOUT", "2m",
                "BERTH_AGENT_STATS_INTERVAL", "1s",
                "BERTH_REDIS_HOST", "none",
                "BERTH_AGENT_SIMULATED_RUN", "250ms",
                "BERTH_AGENT_SCHEDULABLE", "false",
                "BERTH_AGENT_ON_EXIT", "detach")));
        assertEquals("docker", set.runtime());
        assertEquals("unix:///run/other.sock", set.dockerHost());
        assertEquals(Duration.ofMinutes(2), set.pullTimeout());
        assertEquals(Duration.ofSeconds(1), set.statsInterval());
        assertTrue(!set.hasRedis());
        assertEquals(Duration.ofMillis(250), set.simulatedRunFor());
        assertTrue(!set.schedulable());
        assertTrue(set.detachOnExit());
        assertEquals("unix:///elsewhere.sock", AgentConfig.from(new Env(Map.of("BERTH_DOCKER_HOST", "unix:///elsewhere.sock",
                "DOCKER_HOST", "unix:///run/other.sock"))).dockerHost(), "Berth's own setting wins");
    }

    @Test
    @DisplayName("without a configured engine the docker runtime uses the project's engine when its socket exists, else the system's")
    void dockerHostFallback(@TempDir Path state) throws Exception {
        AgentConfig config = AgentConfig.from(new Env(Map.of()));
        assertEquals("unix:///var/run/docker.sock", Runtimes.dockerHost(config, state));
        Files.createDirectories(state.resolve("docker"));
        Files.writeString(state.resolve("docker/docker.sock"), "");
        assertEquals("unix://" + state.resolve("docker/docker.sock").toAbsolutePath(), Runtimes.dockerHost(config, state));
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
            "BERTH_AGENT_RUNTIME, kubernetes",
            "BERTH_AGENT_ON_EXIT, linger",
            "BERTH_AGENT_SCHEDULABLE, maybe",
            "BERTH_AGENT_STATS_INTERVAL, 0s",
            "BERTH_AGENT_PULL_TIMEOUT, never",
            "BERTH_REDIS_PORT, 0",
    })
    @DisplayName("a bad value fails at start with a message that names the variable")
    void badValueNamesTheVariable(String key, String value) {
        var error = assertThrows(IllegalArgumentException.class, () -> AgentConfig.from(new Env(Map.of(key, value))));

        assertTrue(error.getMessage().startsWith(key + " "), "message names " + key + ": " + error.getMessage());
    }
}
