package dev.berth.launcher;

import static dev.berth.launcher.TestStack.DEADLINE;
import static dev.berth.launcher.TestStack.JSON;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.identity.Keys;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
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

    /** The berth script at the repository's root; tests run in the module's directory. */
    private static final Path BERTH = Path.of("../../berth").toAbsolutePath().normalize();

    @TempDir static Path stateDir;
    private final HttpClient http = HttpClient.newHttpClient();
    private TestStack stack;

    @BeforeAll
    void start() throws Exception {
        stack = TestStack.start(stateDir, "e2e-agent", Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        if (stack != null) stack.close();
    }

    @Test
    @Order(0)
    @DisplayName("AUTH-04 an unsigned request is refused with 401; health stays public")
    void unsignedIsRefused() throws Exception {
        HttpRequest unsigned = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.stack().apiPort() + "/v1/sessions")).GET().build();
        HttpResponse<String> refused = http.send(unsigned, HttpResponse.BodyHandlers.ofString());
        assertEquals(401, refused.statusCode(), refused.body());
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.stack().apiPort() + "/v1/health")).GET().build();
        assertTrue(http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode() != 401);
    }

    @Test
    @Order(1)
    @DisplayName("health reports the broker, scheduler, agent and view up, and names postgres, redis and etcd")
    void health() {
        await().atMost(DEADLINE).untilAsserted(() -> {
            JsonNode checks = stack.get("/v1/health").path("checks");
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
        HttpResponse<String> created = stack.send("POST", "/v1/sessions", """
                {"name": "e2e-interactive", "image": "python:3", "resources": {"cpu": 0.5, "mem": "64m"}}""");
        assertEquals(201, created.statusCode(), created.body());
        JsonNode body = JSON.readTree(created.body());
        assertEquals("PENDING", body.path("status").asText());
        String id = body.path("sessionId").asText();

        JsonNode running = stack.awaitStatus(id, "RUNNING");
        assertEquals("e2e-agent", running.path("agents").path(0).asText());

        HttpResponse<String> deleted = stack.send("DELETE", "/v1/sessions/" + id, null);
        assertEquals(202, deleted.statusCode(), deleted.body());
        JsonNode terminated = stack.awaitStatus(id, "TERMINATED");
        assertEquals("user-requested", terminated.path("statusInfo").asText());
        assertTrue(stack.get("/v1/sessions").toString().contains(id), "the list shows the session");
    }

    @Test
    @Order(3)
    @DisplayName("SES-20 a batch session whose command exits by itself ends TERMINATED with its exit code")
    void commandExitsByItself() throws Exception {
        HttpResponse<String> created = stack.send("POST", "/v1/sessions", """
                {"name": "e2e-batch", "type": "batch", "image": "busybox", "command": "echo counting; exit 3",
                 "resources": {"cpu": 0.5, "mem": "64m"}}""");
        assertEquals(201, created.statusCode(), created.body());
        String id = JSON.readTree(created.body()).path("sessionId").asText();

        JsonNode terminated = stack.awaitStatus(id, "TERMINATED");
        assertEquals(3, terminated.path("exitCode").asInt());
        assertEquals("self-terminated", terminated.path("statusInfo").asText());
        assertEquals("FAILURE", terminated.path("result").asText());
    }

    @Test
    @Order(4)
    @DisplayName("invariant 1: a session that does not fit waits PENDING, and runs once the capacity is given back")
    void capacityIsGivenBack() throws Exception {
        String first = stack.create(wholeAgent("e2e-first"));
        stack.awaitStatus(first, "RUNNING");
        String second = stack.create(wholeAgent("e2e-second"));
        // the second is enqueued behind a full agent: it must not be placed while the first runs
        stack.awaitStatus(second, "PENDING");
        assertEquals("RUNNING", stack.get("/v1/sessions/" + first).path("status").asText());

        assertEquals(202, stack.send("DELETE", "/v1/sessions/" + first, null).statusCode());
        stack.awaitStatus(first, "TERMINATED");
        stack.awaitStatus(second, "RUNNING");
        assertEquals(202, stack.send("DELETE", "/v1/sessions/" + second, null).statusCode());
        stack.awaitStatus(second, "TERMINATED");
    }

    @Test
    @Order(5)
    @DisplayName("ERR-02 bad input gets a problem+json answer naming the field")
    void badInput() throws Exception {
        HttpResponse<String> negative = stack.send("POST", "/v1/sessions", """
                {"name": "e2e-bad", "image": "x", "resources": {"cpu": 1, "mem": "-1g"}}""");
        assertEquals(400, negative.statusCode());
        assertTrue(JSON.readTree(negative.body()).path("detail").asText().contains("resources.mem"), negative.body());
        HttpResponse<String> unknown = stack.send("GET", "/v1/sessions/" + java.util.UUID.randomUUID(), null);
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
        assertEquals("user-requested", stack.awaitStatus(id, "TERMINATED").path("statusInfo").asText());
    }

    private record BerthCurl(int status, String body) {}

    /** {@code ./berth curl METHOD PATH ARGS...} as the README runs it, against this stack; curl adds the status as a last line. */
    private BerthCurl berthCurl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(BERTH.toString(), "curl"));
        command.addAll(List.of(args));
        command.addAll(List.of("-w", "\n%{http_code}"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("BERTH_STATE_DIR", stateDir.toString());
        builder.environment().put("BERTH_API_PORT", String.valueOf(stack.stack().apiPort()));
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
        JsonNode listed = stack.get("/v1/admin/agents");
        assertEquals(1, listed.path("total").asInt(), listed.toString());
        JsonNode agent = listed.path("items").path(0);
        assertEquals("e2e-agent", agent.path("id").asText(), agent.toString());
        assertEquals("ALIVE", agent.path("status").asText(), agent.toString());
        assertTrue(agent.path("schedulable").asBoolean(), agent.toString());
        assertEquals(2, agent.path("capacity").path("cpu").asInt(), agent.toString());
        assertEquals("default", agent.path("scalingGroup").asText(), agent.toString());
        assertTrue(agent.has("lastHeartbeat") && agent.has("architecture") && agent.has("version") && agent.has("kernelCount"), agent.toString());

        String running = stack.create(small("e2e-before-drain"));
        stack.awaitStatus(running, "RUNNING");
        await().atMost(DEADLINE).until(() -> stack.get("/v1/admin/agents/e2e-agent").path("kernelCount").asInt() == 1);

        HttpResponse<String> drained = stack.send("PATCH", "/v1/admin/agents/e2e-agent", "{\"schedulable\": false}");
        assertEquals(202, drained.statusCode(), drained.body());
        assertFalse(JSON.readTree(drained.body()).path("schedulable").asBoolean(true), drained.body());
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                .until(() -> !stack.get("/v1/admin/agents/e2e-agent").path("schedulable").asBoolean(true));

        String waiting = stack.create(small("e2e-while-drained"));
        JsonNode pending = await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100)).until(() -> stack.get("/v1/sessions/" + waiting),
                session -> "no-available-instances".equals(session.path("statusInfo").asText()));
        assertEquals("PENDING", pending.path("status").asText(), pending.toString());
        assertEquals("RUNNING", stack.get("/v1/sessions/" + running).path("status").asText(), "a drained agent keeps what it runs");

        HttpResponse<String> lifted = stack.send("PATCH", "/v1/admin/agents/e2e-agent", "{\"schedulable\": true}");
        assertEquals(202, lifted.statusCode(), lifted.body());
        stack.awaitStatus(waiting, "RUNNING");
        assertTrue(stack.get("/v1/admin/agents/e2e-agent").path("schedulable").asBoolean(), "the heartbeat says schedulable again");

        for (String id : new String[] {running, waiting}) {
            assertEquals(202, stack.send("DELETE", "/v1/sessions/" + id, null).statusCode());
            stack.awaitStatus(id, "TERMINATED");
        }
    }

    @Test
    @Order(8)
    @DisplayName("ADM-04 agent routes: an unknown agent is 404, a non-boolean schedulable 400 naming it, a domain admin 403")
    void agentRoutesRefuse() throws Exception {
        HttpResponse<String> unknown = stack.send("PATCH", "/v1/admin/agents/no-such-agent", "{\"schedulable\": false}");
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertTrue(JSON.readTree(unknown.body()).path("type").asText().endsWith("/object-not-found"), unknown.body());
        assertEquals(404, stack.send("GET", "/v1/admin/agents/no-such-agent", null).statusCode());

        HttpResponse<String> notBoolean = stack.send("PATCH", "/v1/admin/agents/e2e-agent", "{\"schedulable\": \"no\"}");
        assertEquals(400, notBoolean.statusCode(), notBoolean.body());
        assertTrue(notBoolean.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"), notBoolean.headers().toString());
        assertEquals("schedulable must be true or false, got \"no\"", JSON.readTree(notBoolean.body()).path("detail").asText(), notBoolean.body());

        HttpResponse<String> user = stack.send("POST", "/v1/admin/users", """
                {"email": "drain-admin@example.org", "username": "drain-admin", "domain": "default", "role": "admin"}""");
        assertEquals(201, user.statusCode(), user.body());
        JsonNode pair = JSON.readTree(user.body()).path("keypair");
        Keys.Keypair domainAdmin = new Keys.Keypair(pair.path("accessKey").asText(), pair.path("secretKey").asText());
        HttpResponse<String> refused = stack.send(domainAdmin, "PATCH", "/v1/admin/agents/e2e-agent", "{\"schedulable\": false}");
        assertEquals(403, refused.statusCode(), refused.body());
        assertEquals(403, stack.send(domainAdmin, "GET", "/v1/admin/agents", null).statusCode());
        assertTrue(stack.get("/v1/admin/agents/e2e-agent").path("schedulable").asBoolean(), "the refused call changed nothing");
    }

    private static String small(String name) {
        return "{\"name\": \"" + name + "\", \"image\": \"python:3\", \"resources\": {\"cpu\": 0.5, \"mem\": \"64m\"}}";
    }

    /** All of the test agent's 2 cores. */
    private static String wholeAgent(String name) {
        return "{\"name\": \"" + name + "\", \"image\": \"x\", \"resources\": {\"cpu\": 2, \"mem\": \"64m\"}}";
    }
}
