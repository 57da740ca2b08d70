package dev.berth.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walking skeleton end to end, through the HTTP API, on a real broker: every stage (api,
 * admission, placement, agent, lifecycle, view) must work for these to pass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StackIT {

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The berth script at the repository's root; tests run in the module's directory. */
    private static final Path BERTH = Path.of("../../berth").toAbsolutePath().normalize();

    @TempDir static Path stateDir;
    private final PgSettings pg = TestDatabases.freshSchema();
    private Stack stack;
    private Keys.Keypair keypair;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        stack = Stack.start(new Env(Map.of(
                "BERTH_STATE_DIR", stateDir.toString(),
                "BERTH_PG_SCHEMA", pg.schema(),
                "BERTH_KAFKA_PORT", "0",
                "BERTH_KAFKA_CONTROLLER_PORT", "0",
                "BERTH_API_PORT", "0",
                "BERTH_AGENT_ID", "e2e-agent",
                "BERTH_AGENT_CPU", "2",
                "BERTH_AGENT_MEM", "2g",
                "BERTH_AGENT_HEARTBEAT", "500ms",
                "BERTH_AGENT_KILL_GRACE", "2s")), step -> {});
        // the first start bootstraps a superadmin and leaves its keypair where the CLI finds it
        keypair = KeypairFile.read(KeypairFile.in(stateDir)).orElseThrow();
    }

    @AfterAll
    void stop() throws Exception {
        if (stack != null) stack.close();
        TestDatabases.drop(pg);
    }

    @Test
    @Order(0)
    @DisplayName("AUTH-04 an unsigned request is refused with 401; health stays public")
    void unsignedIsRefused() throws Exception {
        HttpRequest unsigned = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.apiPort() + "/v1/sessions")).GET().build();
        HttpResponse<String> refused = http.send(unsigned, HttpResponse.BodyHandlers.ofString());
        assertEquals(401, refused.statusCode(), refused.body());
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.apiPort() + "/v1/health")).GET().build();
        assertTrue(http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode() != 401);
    }

    @Test
    @Order(1)
    @DisplayName("health reports the broker, scheduler, agent and view up, and names postgres, redis and etcd")
    void health() {
        await().atMost(DEADLINE).untilAsserted(() -> {
            JsonNode checks = get("/v1/health").path("checks");
            for (String part : new String[] {"kafka", "scheduler", "agent:e2e-agent", "session-view"}) {
                assertTrue(checks.path(part).path("up").asBoolean(), part + " should be up: " + checks);
            }
            for (String server : new String[] {"postgres", "redis", "etcd"}) {
                assertTrue(checks.has(server), server + " should be reported: " + checks);
            }
        });
    }

    @Test
    @Order(2)
    @DisplayName("SES-08 create → RUNNING on the agent → delete → TERMINATED (user-requested)")
    void createRunDelete() throws Exception {
        HttpResponse<String> created = send("POST", "/v1/sessions", """
                {"name": "e2e-interactive", "image": "python:3", "resources": {"cpu": 0.5, "mem": "64m"}}""");
        assertEquals(201, created.statusCode(), created.body());
        JsonNode body = JSON.readTree(created.body());
        assertEquals("PENDING", body.path("status").asText());
        String id = body.path("sessionId").asText();

        JsonNode running = awaitStatus(id, "RUNNING");
        assertEquals("e2e-agent", running.path("agents").path(0).asText());

        HttpResponse<String> deleted = send("DELETE", "/v1/sessions/" + id, null);
        assertEquals(202, deleted.statusCode(), deleted.body());
        JsonNode terminated = awaitStatus(id, "TERMINATED");
        assertEquals("user-requested", terminated.path("statusInfo").asText());
        assertTrue(get("/v1/sessions").toString().contains(id), "the list shows the session");
    }

    @Test
    @Order(3)
    @DisplayName("SES-20 a batch session whose command exits by itself ends TERMINATED with its exit code")
    void commandExitsByItself() throws Exception {
        HttpResponse<String> created = send("POST", "/v1/sessions", """
                {"name": "e2e-batch", "type": "batch", "image": "busybox", "command": "echo counting; exit 3",
                 "resources": {"cpu": 0.5, "mem": "64m"}}""");
        assertEquals(201, created.statusCode(), created.body());
        String id = JSON.readTree(created.body()).path("sessionId").asText();

        JsonNode terminated = awaitStatus(id, "TERMINATED");
        assertEquals(3, terminated.path("exitCode").asInt());
        assertEquals("self-terminated", terminated.path("statusInfo").asText());
        assertEquals("FAILURE", terminated.path("result").asText());
    }

    @Test
    @Order(4)
    @DisplayName("invariant 1: a session that does not fit waits PENDING, and runs once the capacity is given back")
    void capacityIsGivenBack() throws Exception {
        String first = createWholeAgent("e2e-first");
        awaitStatus(first, "RUNNING");
        String second = createWholeAgent("e2e-second");
        // the second is enqueued behind a full agent: it must not be placed while the first runs
        awaitStatus(second, "PENDING");
        assertEquals("RUNNING", get("/v1/sessions/" + first).path("status").asText());

        assertEquals(202, send("DELETE", "/v1/sessions/" + first, null).statusCode());
        awaitStatus(first, "TERMINATED");
        awaitStatus(second, "RUNNING");
        assertEquals(202, send("DELETE", "/v1/sessions/" + second, null).statusCode());
        awaitStatus(second, "TERMINATED");
    }

    @Test
    @Order(5)
    @DisplayName("ERR-02 bad input gets a problem+json answer naming the field")
    void badInput() throws Exception {
        HttpResponse<String> negative = send("POST", "/v1/sessions", """
                {"name": "e2e-bad", "image": "x", "resources": {"cpu": 1, "mem": "-1g"}}""");
        assertEquals(400, negative.statusCode());
        assertTrue(JSON.readTree(negative.body()).path("detail").asText().contains("resources.mem"), negative.body());
        HttpResponse<String> unknown = send("GET", "/v1/sessions/" + java.util.UUID.randomUUID(), null);
        assertEquals(404, unknown.statusCode());
    }

    @Test
    @Order(6)
    @DisplayName("README walkthrough: ./berth curl signs with openssl and the bootstrap keypair; the session it creates runs, and it deletes it")
    void berthCurl() throws Exception {
        BerthCurl listed = berthCurl("GET", "/v1/sessions");
        assertEquals(200, listed.status(), listed.body());
        assertTrue(JSON.readTree(listed.body()).path("items").isArray(), listed.body());

        BerthCurl created = berthCurl("POST", "/v1/sessions", "-d",
                "{\"name\": \"hello\", \"image\": \"python:3.12\", \"resources\": {\"cpu\": 1, \"mem\": \"256m\"}}");
        assertEquals(201, created.status(), created.body());
        String id = JSON.readTree(created.body()).path("sessionId").asText();
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(250))
                .until(() -> JSON.readTree(berthCurl("GET", "/v1/sessions/" + id).body()).path("status").asText(), "RUNNING"::equals);
        assertTrue(berthCurl("GET", "/v1/sessions").body().contains(id), "the list shows the session");

        BerthCurl deleted = berthCurl("DELETE", "/v1/sessions/" + id);
        assertEquals(202, deleted.status(), deleted.body());
        assertEquals("user-requested", awaitStatus(id, "TERMINATED").path("statusInfo").asText());
    }

    private record BerthCurl(int status, String body) {}

    /** {@code ./berth curl METHOD PATH ARGS...} as the README runs it, against this stack; curl adds the status as a last line. */
    private BerthCurl berthCurl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(BERTH.toString(), "curl"));
        command.addAll(List.of(args));
        command.addAll(List.of("-w", "\n%{http_code}"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("BERTH_STATE_DIR", stateDir.toString());
        builder.environment().put("BERTH_API_PORT", String.valueOf(stack.apiPort()));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "./berth curl did not end: " + output);
        assertEquals(0, process.exitValue(), output);
        int last = output.lastIndexOf('\n');
        return new BerthCurl(Integer.parseInt(output.substring(last + 1)), output.substring(0, Math.max(last, 0)));
    }

    @Test
    @Order(7)
    @DisplayName("ADM-04 PATCH schedulable=false drains the agent through agent.commands: what runs keeps running, "
            + "a new session waits no-available-instances until schedulable=true")
    void drainFromTheApi() throws Exception {
        JsonNode listed = get("/v1/admin/agents");
        assertEquals(1, listed.path("total").asInt(), listed.toString());
        JsonNode agent = listed.path("items").path(0);
        assertEquals("e2e-agent", agent.path("id").asText(), agent.toString());
        assertEquals("ALIVE", agent.path("status").asText(), agent.toString());
        assertTrue(agent.path("schedulable").asBoolean(), agent.toString());
        assertEquals(2, agent.path("capacity").path("cpu").asInt(), agent.toString());
        assertEquals("default", agent.path("scalingGroup").asText(), agent.toString());
        assertTrue(agent.has("lastHeartbeat") && agent.has("architecture") && agent.has("version") && agent.has("kernelCount"), agent.toString());

        String running = create("e2e-before-drain");
        awaitStatus(running, "RUNNING");
        await().atMost(DEADLINE).until(() -> get("/v1/admin/agents/e2e-agent").path("kernelCount").asInt() == 1);

        HttpResponse<String> drained = send("PATCH", "/v1/admin/agents/e2e-agent", "{\"schedulable\": false}");
        assertEquals(202, drained.statusCode(), drained.body());
        assertFalse(JSON.readTree(drained.body()).path("schedulable").asBoolean(true), drained.body());
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                .until(() -> !get("/v1/admin/agents/e2e-agent").path("schedulable").asBoolean(true));

        String waiting = create("e2e-while-drained");
        JsonNode pending = await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100)).until(() -> get("/v1/sessions/" + waiting),
                session -> "no-available-instances".equals(session.path("statusInfo").asText()));
        assertEquals("PENDING", pending.path("status").asText(), pending.toString());
        assertEquals("RUNNING", get("/v1/sessions/" + running).path("status").asText(), "a drained agent keeps what it runs");

        HttpResponse<String> lifted = send("PATCH", "/v1/admin/agents/e2e-agent", "{\"schedulable\": true}");
        assertEquals(202, lifted.statusCode(), lifted.body());
        awaitStatus(waiting, "RUNNING");
        assertTrue(get("/v1/admin/agents/e2e-agent").path("schedulable").asBoolean(), "the heartbeat says schedulable again");

        for (String id : new String[] {running, waiting}) {
            assertEquals(202, send("DELETE", "/v1/sessions/" + id, null).statusCode());
            awaitStatus(id, "TERMINATED");
        }
    }

    @Test
    @Order(8)
    @DisplayName("ADM-04 agent routes: an unknown agent is 404, a non-boolean schedulable 400 naming it, a domain admin 403")
    void agentRoutesRefuse() throws Exception {
        HttpResponse<String> unknown = send("PATCH", "/v1/admin/agents/no-such-agent", "{\"schedulable\": false}");
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertTrue(JSON.readTree(unknown.body()).path("type").asText().endsWith("/object-not-found"), unknown.body());
        assertEquals(404, send("GET", "/v1/admin/agents/no-such-agent", null).statusCode());

        HttpResponse<String> notBoolean = send("PATCH", "/v1/admin/agents/e2e-agent", "{\"schedulable\": \"no\"}");
        assertEquals(400, notBoolean.statusCode(), notBoolean.body());
        assertTrue(notBoolean.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"), notBoolean.headers().toString());
        assertEquals("schedulable must be true or false, got \"no\"", JSON.readTree(notBoolean.body()).path("detail").asText(), notBoolean.body());

        HttpResponse<String> user = send("POST", "/v1/admin/users", """
                {"email": "drain-admin@example.org", "username": "drain-admin", "domain": "default", "role": "admin"}""");
        assertEquals(201, user.statusCode(), user.body());
        JsonNode pair = JSON.readTree(user.body()).path("keypair");
        Keys.Keypair domainAdmin = new Keys.Keypair(pair.path("accessKey").asText(), pair.path("secretKey").asText());
        HttpResponse<String> refused = send(domainAdmin, "PATCH", "/v1/admin/agents/e2e-agent", "{\"schedulable\": false}");
        assertEquals(403, refused.statusCode(), refused.body());
        assertEquals(403, send(domainAdmin, "GET", "/v1/admin/agents", null).statusCode());
        assertTrue(get("/v1/admin/agents/e2e-agent").path("schedulable").asBoolean(), "the refused call changed nothing");
    }

    private String create(String name) throws Exception {
        HttpResponse<String> created = send("POST", "/v1/sessions",
                "{\"name\": \"" + name + "\", \"image\": \"python:3\", \"resources\": {\"cpu\": 0.5, \"mem\": \"64m\"}}");
        assertEquals(201, created.statusCode(), created.body());
        return JSON.readTree(created.body()).path("sessionId").asText();
    }

    private String createWholeAgent(String name) throws Exception {
        HttpResponse<String> created = send("POST", "/v1/sessions",
                "{\"name\": \"" + name + "\", \"image\": \"x\", \"resources\": {\"cpu\": 2, \"mem\": \"64m\"}}");
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
        return send(keypair, method, path, body);
    }

    private HttpResponse<String> send(Keys.Keypair keypair, String method, String path, String body) throws IOException, InterruptedException {
        String host = "127.0.0.1:" + stack.apiPort();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host + path))
                .timeout(Duration.ofSeconds(15));
        RequestSigner.headers(keypair.accessKey(), keypair.secretKey(), method, path, host, body == null ? null : "application/json", Instant.now())
                .forEach(request::header);
        if (body == null) request.method(method, HttpRequest.BodyPublishers.noBody());
        else request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
