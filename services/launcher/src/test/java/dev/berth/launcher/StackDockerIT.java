package dev.berth.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.agent.runtime.DockerEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions created through the API run as containers on the project's Docker engine, and their
 * output and stats are read back through the API. Skipped, with the reason printed, where no
 * engine can start.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StackDockerIT {

    /** Images start slower than processes. */
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @TempDir static Path stateDir;
    private TestStack stack;

    @BeforeAll
    void start() throws Exception {
        String dockerHost = DockerEngine.host();
        stack = TestStack.start(stateDir, "e2e-docker-agent", Map.of(
                "BERTH_AGENT_STATS_INTERVAL", "1s",
                "BERTH_AGENT_RUNTIME", "docker",
                "BERTH_DOCKER_HOST", dockerHost));
    }

    @AfterAll
    void stop() throws Exception {
        if (stack != null) stack.close();
    }

    @Test
    @DisplayName("SES-20 a batch session runs in a container, succeeds, and its output is readable through the API")
    void batchSessionInAContainer() throws Exception {
        String id = stack.create("""
                {"name": "docker-batch", "type": "batch", "image": "%s", "command": "echo \\"hello from $(hostname)\\"; exit 0",
                 "resources": {"cpu": 0.5, "mem": "64m"}}""".formatted(DockerEngine.IMAGE));

        JsonNode terminated = stack.awaitStatus(stack.superadmin(), id, "TERMINATED", DEADLINE);
        assertEquals("SUCCESS", terminated.path("result").asText(), terminated.toString());
        JsonNode logs = stack.get("/v1/sessions/" + id + "/logs?tail=1");
        assertEquals("hello from main1\n", logs.path("logs").asText(), logs.toString());
    }

    @Test
    @DisplayName("USG-01 a running container's stats are readable through the API; a delete ends it user-requested")
    void statsOfARunningContainer() throws Exception {
        String id = stack.create("""
                {"name": "docker-busy", "image": "%s", "command": "while :; do :; done",
                 "resources": {"cpu": 0.5, "mem": "64m"}}""".formatted(DockerEngine.IMAGE));
        stack.awaitStatus(stack.superadmin(), id, "RUNNING", DEADLINE);

        JsonNode kernel = await().atMost(DEADLINE).pollInterval(Duration.ofMillis(200))
                .until(() -> stack.get("/v1/sessions/" + id + "/stats").path("kernels").path(0),
                        k -> k.path("cpuPercent").asDouble() > 10);
        assertTrue(kernel.path("memBytes").asLong() > 0, kernel.toString());
        assertTrue(kernel.path("cpuPercent").asDouble() <= 60, "the half core it was given: " + kernel);

        assertEquals(202, stack.send("DELETE", "/v1/sessions/" + id, null).statusCode());
        assertEquals("user-requested", stack.awaitStatus(stack.superadmin(), id, "TERMINATED", DEADLINE).path("statusInfo").asText());
    }

    @Test
    @DisplayName("SCH-19 an image the engine does not have: the session is cancelled failed-to-start, the runtime's reason readable on it, and the agent goes on")
    void missingImage() throws Exception {
        String id = stack.create("""
                {"name": "docker-missing", "image": "%s", "resources": {"cpu": 0.5, "mem": "64m"}}""".formatted(DockerEngine.ABSENT_IMAGE));

        JsonNode cancelled = stack.awaitStatus(stack.superadmin(), id, "CANCELLED", DEADLINE);
        assertEquals("failed-to-start", cancelled.path("statusInfo").asText(), cancelled.toString());
        assertTrue(cancelled.path("error").asText().contains(DockerEngine.ABSENT_IMAGE), cancelled.toString());
        String next = stack.create("""
                {"name": "docker-after", "type": "batch", "image": "%s", "command": "exit 0", "resources": {"cpu": 0.5, "mem": "64m"}}""".formatted(DockerEngine.IMAGE));
        assertEquals("SUCCESS", stack.awaitStatus(stack.superadmin(), next, "TERMINATED", DEADLINE).path("result").asText());
    }
}
