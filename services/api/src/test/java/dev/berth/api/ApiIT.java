package dev.berth.api;

import static dev.berth.api.TestApi.HOST;
import static dev.berth.api.TestApi.join;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.api.session.RequestPublisher;
import dev.berth.api.session.SessionView;
import dev.berth.common.BerthConfig;
import dev.berth.common.Check;
import dev.berth.common.Env;
import dev.berth.common.HealthRegistry;
import dev.berth.identity.Keys;
import dev.berth.identity.RequestSigner;
import dev.berth.schema.KernelIds;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.CreateSession;
import dev.berth.schema.avro.DestroySession;
import dev.berth.schema.avro.KernelInfo;
import dev.berth.schema.avro.KernelStatus;
import dev.berth.schema.avro.RenameSession;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionRequest;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionStatus;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The API against a real (embedded) broker: what it answers, what it writes, what it reads back. */
class ApiIT {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final String PROBLEM_JSON = "application/problem+json";

    private static TestApi api;
    private static Topics topics;
    private static SessionView view;
    private static Vertx vertx;
    private static WebClient client;
    private static int port;
    private static Keys.Keypair superadmin;

    @BeforeAll
    static void start() throws Exception {
        api = TestApi.start(Map.of());
        api.health().registerNow("it-probe", () -> Check.up("registered by another component"));
        topics = api.topics();
        view = api.view();
        vertx = api.vertx();
        client = api.client();
        port = api.port();
        superadmin = api.superadmin();
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) api.close();
    }

    @Test
    @DisplayName("API-07 a create answers 201 PENDING with a Location, and writes a CreateSession keyed by the new session id")
    void createWritesRequest() throws Exception {
        String body = """
                {"name": "it-create", "image": "python:3.12", "type": "batch", "command": "echo hi",
                 "resources": {"cpu": 1, "mem": "256m"}, "environ": {"A": "1"}}""";

        HttpResponse<Buffer> response = call(HttpMethod.POST, "/v1/sessions", body);

        assertEquals(201, response.statusCode(), response.bodyAsString());
        JsonObject created = response.bodyAsJsonObject();
        String sessionId = created.getString("sessionId");
        assertEquals(UUID.fromString(sessionId).toString(), sessionId);
        assertEquals("it-create", created.getString("sessionName"));
        assertEquals("PENDING", created.getString("status"));
        assertEquals(new JsonArray(), created.getJsonArray("servicePorts"));
        assertEquals("/v1/sessions/" + sessionId, response.getHeader("Location"));

        SessionRequest request = api.awaitRequest(sessionId, CreateSession.class);
        assertEquals(superadmin.accessKey(), request.getAccessKey());
        SessionSpec spec = ((CreateSession) request.getOp()).getSpec();
        // filled from the database: the owner's user, domain and project, and the scaling group chosen for it
        assertFalse(spec.getUserId().isEmpty());
        assertEquals("default", spec.getDomain());
        assertEquals("default", spec.getProject());
        assertEquals("default", spec.getScalingGroup());
        assertEquals("it-create", spec.getName());
        assertEquals(Map.of("cpu", 1000L, "mem", 268_435_456L), spec.getResources());
        assertEquals("echo hi", spec.getCommand());
    }

    @Test
    @DisplayName("a GET right after a create finds the session PENDING, before any lifecycle event")
    void getAfterCreateIsPending() throws Exception {
        String sessionId = create("it-get-now");

        HttpResponse<Buffer> response = call(HttpMethod.GET, "/v1/sessions/" + sessionId, null);

        assertEquals(200, response.statusCode());
        JsonObject session = response.bodyAsJsonObject();
        assertEquals("PENDING", session.getString("status"));
        assertEquals("it-get-now", session.getString("name"));
        assertEquals("interactive", session.getString("type"));
        assertEquals("single-node", session.getString("clusterMode"));
        assertEquals(new JsonObject().put("cpu", 1).put("mem", 268_435_456), session.getJsonObject("resources"));
        assertNotNull(session.getJsonObject("statusHistory").getString("PENDING"));
    }

    @Test
    @DisplayName("GET /v1/events/sessions is signed as every /v1 route and streams the caller's sessions' events")
    void eventStream() throws Exception {
        String sessionId = UUID.randomUUID().toString();
        String path = "/v1/events/sessions?project=default";
        await().atMost(DEADLINE).until(() -> view.health().up());
        assertEquals(401, join(client.get(port, HOST, path).send()).statusCode(), "unsigned");
        HttpClient http = vertx.createHttpClient();
        StringBuffer received = new StringBuffer();

        HttpClientResponse response = join(http.request(HttpMethod.GET, port, HOST, path).compose(request -> {
            RequestSigner.headers(superadmin.accessKey(), superadmin.secretKey(), "GET", path, HOST + ":" + port, null, Instant.now())
                    .forEach(request::putHeader);
            return request.send();
        }).map(answer -> answer.handler(chunk -> received.append(chunk.toString()))));
        writeEvent(null, session(sessionId, "it-stream", SessionStatus.PENDING, 1));

        assertEquals(200, response.statusCode());
        assertEquals("text/event-stream", response.getHeader("Content-Type"));
        await().atMost(DEADLINE).until(() -> received.toString().contains("\"sessionId\":\"" + sessionId + "\""));
        assertTrue(received.toString().contains("event: session_enqueued\n"), received.toString());
        join(http.close());
    }

    @Test
    @DisplayName("a session event with a higher version replaces the provisional entry; the list shows it under its status")
    void eventReplacesProvisional() throws Exception {
        String sessionId = create("it-runs");

        writeEvent(0, session(sessionId, "it-runs", SessionStatus.RUNNING, 3));

        await().atMost(DEADLINE).until(() -> "RUNNING".equals(get(sessionId).getString("status")));
        JsonObject session = get(sessionId);
        assertEquals(new JsonArray().add("agent-1"), session.getJsonArray("agents"));
        JsonObject kernel = session.getJsonArray("kernels").getJsonObject(0);
        assertEquals("main1", kernel.getString("hostname"));
        assertEquals("RUNNING", kernel.getString("status"));
        assertEquals(KernelIds.of(sessionId, 0), kernel.getString("kernelId"));

        JsonObject running = call(HttpMethod.GET, "/v1/sessions?status=RUNNING&limit=1000", null).bodyAsJsonObject();
        assertTrue(ids(running).contains(sessionId), running.encode());
        assertEquals(running.getJsonArray("items").size(), running.getInteger("total"));
        JsonObject pending = call(HttpMethod.GET, "/v1/sessions?status=PENDING,TERMINATED", null).bodyAsJsonObject();
        assertFalse(ids(pending).contains(sessionId), pending.encode());
    }

    @Test
    @DisplayName("the view ignores an older version and skips a record that does not decode")
    void viewKeepsNewestVersion() throws Exception {
        String sessionId = UUID.randomUUID().toString();
        String barrier = UUID.randomUUID().toString();
        // all on one partition, so the barrier is read after the two records before it
        writeEvent(0, session(sessionId, "it-version", SessionStatus.RUNNING, 5));
        api.writer().send(new ProducerRecord<>(topics.sessionEvents.name(), 0, sessionId, new byte[] {1, 2, 3})).get();
        writeEvent(0, session(sessionId, "it-version", SessionStatus.PREPARING, 4));
        writeEvent(0, session(barrier, "it-barrier", SessionStatus.PENDING, 0));

        await().atMost(DEADLINE).until(() -> call(HttpMethod.GET, "/v1/sessions/" + barrier, null).statusCode() == 200);

        assertEquals("RUNNING", get(sessionId).getString("status"));
    }

    @Test
    @DisplayName("API-14 destroying a RUNNING session answers 202 and writes a DestroySession (user-requested)")
    void destroyRunning() throws Exception {
        String sessionId = seed(SessionStatus.RUNNING);

        HttpResponse<Buffer> response = call(HttpMethod.DELETE, "/v1/sessions/" + sessionId, null);

        assertEquals(202, response.statusCode(), response.bodyAsString());
        assertEquals(new JsonObject().put("sessionId", sessionId).put("status", "RUNNING"), response.bodyAsJsonObject());
        DestroySession destroy = (DestroySession) api.awaitRequest(sessionId, DestroySession.class).getOp();
        assertFalse(destroy.getForced());
        assertEquals("user-requested", destroy.getReason());
    }

    @Test
    @DisplayName("API-14 a PULLING session is generic-forbidden to destroy, even when forced")
    void destroyPullingIsForbidden() throws Exception {
        String sessionId = seed(SessionStatus.PULLING);

        for (String query : List.of("", "?forced=true")) {
            HttpResponse<Buffer> response = call(HttpMethod.DELETE, "/v1/sessions/" + sessionId + query, null);
            assertProblem(response, 403, "generic-forbidden", "PULLING");
        }
    }

    @Test
    @DisplayName("API-14 a SCHEDULED session needs forced=true, which the DestroySession carries")
    void destroyScheduledNeedsForce() throws Exception {
        String sessionId = seed(SessionStatus.SCHEDULED);

        assertProblem(call(HttpMethod.DELETE, "/v1/sessions/" + sessionId, null), 403, "generic-forbidden", "forced=true");
        HttpResponse<Buffer> forced = call(HttpMethod.DELETE, "/v1/sessions/" + sessionId + "?forced=true", null);

        assertEquals(202, forced.statusCode(), forced.bodyAsString());
        assertTrue(((DestroySession) api.awaitRequest(sessionId, DestroySession.class).getOp()).getForced());
    }

    @Test
    @DisplayName("destroying a TERMINATED session is a no-op answering 200 with the session as it is")
    void destroyDeadIsNoOp() throws Exception {
        String sessionId = seed(SessionStatus.TERMINATED);

        HttpResponse<Buffer> response = call(HttpMethod.DELETE, "/v1/sessions/" + sessionId, null);

        assertEquals(200, response.statusCode(), response.bodyAsString());
        assertEquals("TERMINATED", response.bodyAsJsonObject().getString("status"));
    }

    @Test
    @DisplayName("API-21 a rename answers 202 and writes a RenameSession with the new name")
    void rename() throws Exception {
        String sessionId = create("it-old-name");

        HttpResponse<Buffer> response = call(HttpMethod.POST, "/v1/sessions/" + sessionId + "/rename", "{\"name\": \"it-new-name\"}");

        assertEquals(202, response.statusCode(), response.bodyAsString());
        assertEquals("it-new-name", ((RenameSession) api.awaitRequest(sessionId, RenameSession.class).getOp()).getNewName());
    }

    @Test
    @DisplayName("ERR-02 bad creates are 400 invalid-api-params problems naming the field")
    void badCreates() throws Exception {
        assertProblem(call(HttpMethod.POST, "/v1/sessions", "{\"name\": "), 400, "invalid-api-params", "not valid JSON");
        assertProblem(call(HttpMethod.POST, "/v1/sessions",
                "{\"name\": \"it-bad\", \"image\": \"x\", \"resources\": {\"mem\": \"1g\"}}"),
                400, "invalid-api-params", "resources.cpu is required");
        assertProblem(call(HttpMethod.POST, "/v1/sessions",
                "{\"name\": \"it-bad\", \"image\": \"x\", \"resources\": {\"cpu\": 1, \"mem\": \"-256m\"}}"),
                400, "invalid-api-params", "resources.mem must not be negative");
        assertProblem(call(HttpMethod.POST, "/v1/sessions",
                "{\"name\": \"it-bad\", \"image\": \"x\", \"resources\": {\"cpu\": 1, \"mem\": 1}, \"gpu\": 1}"),
                400, "invalid-api-params", "unknown field(s) gpu");
    }

    @Test
    @DisplayName("ERR-01/03 unknown session 404 session-not-found, bad id 400, unknown route 404 url-not-found, wrong method 405")
    void lookupProblems() throws Exception {
        String unknown = UUID.randomUUID().toString();
        assertProblem(call(HttpMethod.GET, "/v1/sessions/" + unknown, null), 404, "session-not-found", unknown);
        assertProblem(call(HttpMethod.DELETE, "/v1/sessions/" + unknown, null), 404, "session-not-found", unknown);
        assertProblem(call(HttpMethod.GET, "/v1/sessions/not-a-uuid", null), 400, "invalid-api-params", "UUID");
        assertProblem(call(HttpMethod.GET, "/v1/sessions?status=SLEEPING", null), 400, "invalid-api-params", "SLEEPING");
        assertProblem(call(HttpMethod.GET, "/v1/nothing-here", null), 404, "url-not-found", "/v1/nothing-here");
        assertProblem(call(HttpMethod.PUT, "/v1/sessions", "{}"), 405, "method-not-allowed", "PUT");
    }

    @Test
    @DisplayName("/v1/health reports kafka up, the other dependencies, the session view and checks registered by others")
    void health() {
        await().atMost(DEADLINE).untilAsserted(() -> {
            HttpResponse<Buffer> response = call(HttpMethod.GET, "/v1/health", null);
            JsonObject checks = response.bodyAsJsonObject().getJsonObject("checks");
            assertTrue(checks.getJsonObject("kafka").getBoolean("up"), checks.encode());
            assertTrue(checks.getJsonObject("session-view").getBoolean("up"), checks.encode());
            assertTrue(checks.getJsonObject("it-probe").getBoolean("up"), checks.encode());
            for (String dependency : List.of("postgres", "redis", "etcd")) {
                assertNotNull(checks.getJsonObject(dependency), dependency + " missing from " + checks.encode());
            }
            boolean allUp = checks.stream().allMatch(check -> ((JsonObject) check.getValue()).getBoolean("up"));
            assertEquals(allUp ? 200 : 503, response.statusCode());
            assertEquals(allUp ? "UP" : "DOWN", response.bodyAsJsonObject().getString("status"));
        });
    }

    @Test
    @DisplayName("/metrics shows the accepted-sessions counter and request timers by route pattern")
    void metrics() throws Exception {
        create("it-metrics");

        String text = call(HttpMethod.GET, "/metrics", null).bodyAsString();

        double accepted = text.lines().filter(line -> line.startsWith("berth_api_sessions_accepted_total "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
        assertTrue(accepted >= 1, text);
        assertTrue(text.contains("berth_api_request_seconds_count{route=\"POST /v1/sessions\",status=\"201\"}"), text);
    }

    @Test
    @DisplayName("a create that Kafka does not acknowledge in time is 503 service-unavailable")
    void unacknowledgedCreate() throws Exception {
        String deadBroker = "127.0.0.1:1";
        ApiConfig config = ApiConfig.from(new Env(Map.of("BERTH_API_PORT", "0", "BERTH_API_ACK_TIMEOUT", "1s", "BERTH_PG_SCHEMA", api.pg().schema())));
        BerthConfig berth = new BerthConfig(deadBroker, topics.prefix(), 2, api.stateDir());
        ApiServer stranded = new ApiServer();
        try (Producer<String, SessionRequest> producer = RequestPublisher.createProducer(deadBroker, config.ackTimeout())) {
            int strandedPort = join(stranded.start(vertx, berth, config, api.shared(), producer, view,
                    new HealthRegistry(Duration.ofSeconds(1)), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
            String body = "{\"name\": \"it-stranded\", \"image\": \"x\", \"resources\": {\"cpu\": 1, \"mem\": 1}}";

            HttpResponse<Buffer> response = api.send(superadmin, strandedPort, HttpMethod.POST, "/v1/sessions", body);

            assertProblem(response, 503, "service-unavailable", "did not acknowledge");
        } finally {
            join(stranded.close());
        }
    }

    // ---- helpers ----

    private static String create(String name) throws Exception {
        String body = "{\"name\": \"" + name + "\", \"image\": \"python:3.12\", \"resources\": {\"cpu\": 1, \"mem\": \"256m\"}}";
        HttpResponse<Buffer> response = call(HttpMethod.POST, "/v1/sessions", body);
        assertEquals(201, response.statusCode(), response.bodyAsString());
        return response.bodyAsJsonObject().getString("sessionId");
    }

    /** A session the lifecycle reports in {@code status}, visible through the API. */
    private static String seed(SessionStatus status) throws Exception {
        String sessionId = UUID.randomUUID().toString();
        writeEvent(null, session(sessionId, "it-" + status.name().toLowerCase(), status, 1));
        await().atMost(DEADLINE).until(() -> status.name().equals(get(sessionId).getString("status")));
        return sessionId;
    }

    private static JsonObject get(String sessionId) throws Exception {
        HttpResponse<Buffer> response = call(HttpMethod.GET, "/v1/sessions/" + sessionId, null);
        return response.statusCode() == 200 ? response.bodyAsJsonObject() : new JsonObject();
    }

    private static List<String> ids(JsonObject page) {
        return page.getJsonArray("items").stream().map(item -> ((JsonObject) item).getString("sessionId")).toList();
    }

    private static Session session(String sessionId, String name, SessionStatus status, long version) {
        Instant now = Instant.now();
        SessionSpec spec = SessionSpec.newBuilder()
                .setName(name)
                .setImage("python:3.12")
                .setResources(Map.of("cpu", 1000L, "mem", 268_435_456L))
                .build();
        KernelInfo main = KernelInfo.newBuilder()
                .setKernelId(KernelIds.of(sessionId, 0))
                .setClusterRole(KernelIds.role(0))
                .setClusterHostname(KernelIds.hostname(0))
                .setStatus(KernelStatus.valueOf(status.name()))
                .setAgentId("agent-1")
                .build();
        return Session.newBuilder()
                .setSessionId(sessionId)
                .setAccessKey("local")
                .setSpec(spec)
                .setStatus(status)
                .setStatusHistory(Map.of(status.name(), now.toEpochMilli()))
                .setCreatedAt(now)
                .setKernels(List.of(main))
                .setVersion(version)
                .build();
    }

    /** Writes the event as the lifecycle would; {@code partition} null lets the key choose it. */
    private static void writeEvent(Integer partition, Session session) throws Exception {
        SessionEventKind kind = switch (session.getStatus()) {
            case PENDING -> SessionEventKind.ENQUEUED;
            case RUNNING -> SessionEventKind.STARTED;
            default -> SessionEventKind.valueOf(session.getStatus().name());
        };
        SessionEvent event = SessionEvent.newBuilder()
                .setSessionId(session.getSessionId())
                .setAt(Instant.now())
                .setKind(kind)
                .setSession(session)
                .build();
        api.writeEvent(partition, event);
    }

    /** A request signed with the bootstrap superadmin's keypair. */
    private static HttpResponse<Buffer> call(HttpMethod method, String path, String body) throws Exception {
        return api.send(superadmin, method, path, body);
    }

    private static void assertProblem(HttpResponse<Buffer> response, int status, String type, String detailPart) {
        String text = response.bodyAsString();
        assertEquals(status, response.statusCode(), text);
        assertEquals(PROBLEM_JSON, response.getHeader("Content-Type"), text);
        JsonObject problem = response.bodyAsJsonObject();
        assertEquals("https://api.backend.ai/probs/" + type, problem.getString("type"), text);
        assertEquals(status, problem.getInteger("status"), text);
        assertNotNull(problem.getString("title"), text);
        assertTrue(problem.getString("detail").contains(detailPart), text);
    }
}
