package dev.berth.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.agent.runtime.DockerEngine;
import dev.berth.common.Env;
import dev.berth.identity.KeypairFile;
import dev.berth.identity.Keys;
import dev.berth.identity.PgSettings;
import dev.berth.identity.RequestSigner;
import dev.berth.identity.TestDatabases;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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

    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path stateDir;
    private PgSettings pg;
    private Stack stack;
    private Keys.Keypair keypair;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        String dockerHost = DockerEngine.host();
        pg = TestDatabases.freshSchema();
        stack = Stack.start(new Env(Map.ofEntries(
                Map.entry("BERTH_STATE_DIR", stateDir.toString()),
                Map.entry("BERTH_PG_SCHEMA", pg.schema()),
                Map.entry("BERTH_KAFKA_PORT", "0"),
                Map.entry("BERTH_KAFKA_CONTROLLER_PORT", "0"),
                Map.entry("BERTH_API_PORT", "0"),
                Map.entry("BERTH_AGENT_ID", "e2e-docker-agent"),
                Map.entry("BERTH_AGENT_CPU", "2"),
                Map.entry("BERTH_AGENT_MEM", "2g"),
                Map.entry("BERTH_AGENT_HEARTBEAT", "500ms"),
                Map.entry("BERTH_AGENT_KILL_GRACE", "2s"),
                Map.entry("BERTH_AGENT_STATS_INTERVAL", "1s"),
                Map.entry("BERTH_AGENT_RUNTIME", "docker"),
                Map.entry("BERTH_DOCKER_HOST", dockerHost))), step -> {});
        keypair = KeypairFile.read(KeypairFile.in(stateDir)).orElseThrow();
    }

    @AfterAll
    void stop() throws Exception {
        if (stack != null) stack.close();
        if (pg != null) TestDatabases.drop(pg);
    }

    @Test
    @DisplayName("SES-20 a batch session runs in a container, succeeds, and its output is readable through the API")
    void batchSessionInAContainer() throws Exception {
        String id = create("""
                {"name": "docker-batch", "type": "batch", "image": "%s", "command": "echo \\"hello from $(hostname)\\"; exit 0",
                 "resources": {"cpu": 0.5, "mem": "64m"}}""".formatted(DockerEngine.IMAGE));

        JsonNode terminated = awaitStatus(id, "TERMINATED");
        assertEquals("SUCCESS", terminated.path("result").asText(), terminated.toString());
        JsonNode logs = get("/v1/sessions/" + id + "/logs?tail=1");
        assertEquals("hello from main1\n", logs.path("logs").asText(), logs.toString());
    }

    @Test
    @DisplayName("USG-01 a running container's stats are readable through the API; a delete ends it user-requested")
    void statsOfARunningContainer() throws Exception {
        String id = create("""
                {"name": "docker-busy", "image": "%s", "command": "while :; do :; done",
                 "resources": {"cpu": 0.5, "mem": "64m"}}""".formatted(DockerEngine.IMAGE));
        awaitStatus(id, "RUNNING");

        JsonNode kernel = await().atMost(DEADLINE).pollInterval(Duration.ofMillis(200))
                .until(() -> get("/v1/sessions/" + id + "/stats").path("kernels").path(0),
                        k -> k.path("cpuPercent").asDouble() > 10);
        assertTrue(kernel.path("memBytes").asLong() > 0, kernel.toString());
        assertTrue(kernel.path("cpuPercent").asDouble() <= 60, "the half core it was given: " + kernel);

        assertEquals(202, send("DELETE", "/v1/sessions/" + id, null).statusCode());
        assertEquals("user-requested", awaitStatus(id, "TERMINATED").path("statusInfo").asText());
    }

    @Test
    @DisplayName("SCH-19 an image the engine does not have: the session is cancelled failed-to-start, the runtime's reason readable on it, and the agent goes on")
    void missingImage() throws Exception {
        String id = create("""
                {"name": "docker-missing", "image": "%s", "resources": {"cpu": 0.5, "mem": "64m"}}""".formatted(DockerEngine.ABSENT_IMAGE));

        JsonNode cancelled = awaitStatus(id, "CANCELLED");
        assertEquals("failed-to-start", cancelled.path("statusInfo").asText(), cancelled.toString());
        assertTrue(cancelled.path("error").asText().contains(DockerEngine.ABSENT_IMAGE), cancelled.toString());
        String next = create("""
                {"name": "docker-after", "type": "batch", "image": "%s", "command": "exit 0", "resources": {"cpu": 0.5, "mem": "64m"}}""".formatted(DockerEngine.IMAGE));
        assertEquals("SUCCESS", awaitStatus(next, "TERMINATED").path("result").asText());
    }

    private String create(String body) throws Exception {
        HttpResponse<String> created = send("POST", "/v1/sessions", body);
        assertEquals(201, created.statusCode(), created.body());
        return JSON.readTree(created.body()).path("sessionId").asText();
    }

    private JsonNode awaitStatus(String id, String status) {
        return await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                .until(() -> get("/v1/sessions/" + id), session -> status.equals(session.path("status").asText()));
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        return JSON.readTree(send("GET", path, null).body());
    }

    private HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        String host = "127.0.0.1:" + stack.apiPort();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host + path)).timeout(Duration.ofSeconds(15));
        RequestSigner.headers(keypair.accessKey(), keypair.secretKey(), method, path, host, body == null ? null : "application/json", Instant.now())
                .forEach(request::header);
        if (body == null) request.method(method, HttpRequest.BodyPublishers.noBody());
        else request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
