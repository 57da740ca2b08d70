package dev.berth.api.compat;

import static dev.berth.api.TestApi.HOST;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.api.TestApi;
import dev.berth.identity.Keys;
import dev.berth.schema.KernelIds;
import dev.berth.schema.avro.DestroySession;
import dev.berth.schema.avro.KernelInfo;
import dev.berth.schema.avro.KernelStatus;
import dev.berth.schema.avro.RenameSession;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The original Backend.AI routes driven as the original clients drive them, against the API on a
 * real (embedded) broker, PostgreSQL and Redis: no lifecycle runs, so sessions stay as created or as
 * the test writes their events.
 */
class CompatIT {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    private static TestApi api;
    private static int port;
    private static Keys.Keypair superadmin;
    private static OriginalClient js;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        api = TestApi.start(Map.of());
        port = api.port();
        superadmin = api.superadmin();
        js = new OriginalClient(superadmin.accessKey(), superadmin.secretKey(), "X-BackendAI-Date", "application/json", "SHA256");
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) api.close();
    }

    @Test
    @DisplayName("GET / answers the original's handshake without a signature; /config/resource-slots is public too")
    void handshake() throws Exception {
        HttpResponse<String> version = http.send(HttpRequest.newBuilder(uri("/")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, version.statusCode());
        JsonObject body = new JsonObject(version.body());
        assertEquals("v8.20240915", body.getString("version"));
        assertTrue(body.getString("manager").matches("\\d+\\.\\d+\\.\\d+"), version.body());
        HttpResponse<String> slots = http.send(HttpRequest.newBuilder(uri("/config/resource-slots")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("count", new JsonObject(slots.body()).getString("cpu"));
        assertEquals("bytes", new JsonObject(slots.body()).getString("mem"));
    }

    @Test
    @DisplayName("AUTH-02..04 the clients' ways of signing: X-BackendAI-Date or Date, ISO with Z or +09:00, RFC 1123, JSON, text/plain or no content type, SHA-512")
    void signingStyles() throws Exception {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC).withNano(0);
        ZonedDateTime seoul = now.withZoneSameInstant(ZoneId.of("Asia/Seoul"));
        List<Map<String, String>> styles = List.of(
                js.headers("GET", "/auth/test?echo=hi", host(), now, ISO),
                new OriginalClient(superadmin.accessKey(), superadmin.secretKey(), "Date", "text/plain", "SHA256")
                        .headers("GET", "/auth/test?echo=hi", host(), seoul, ISO),
                new OriginalClient(superadmin.accessKey(), superadmin.secretKey(), "Date", null, "SHA256")
                        .headers("GET", "/auth/test?echo=hi", host(), now, DateTimeFormatter.RFC_1123_DATE_TIME),
                new OriginalClient(superadmin.accessKey(), superadmin.secretKey(), "X-BackendAI-Date", "application/json", "SHA512")
                        .headers("GET", "/auth/test?echo=hi", host(), now, DateTimeFormatter.ISO_LOCAL_DATE_TIME));
        for (Map<String, String> headers : styles) {
            HttpResponse<String> response = send("GET", "/auth/test?echo=hi", headers, null);
            assertEquals(200, response.statusCode(), headers + " → " + response.body());
            assertEquals("hi", new JsonObject(response.body()).getString("echo"));
        }
    }

    @Test
    @DisplayName("AUTH-03/04 a date 20 minutes off is auth-failed 401, a malformed header invalid-auth-params 400, no header 401; bodies carry msg")
    void refusedSignatures() throws Exception {
        ZonedDateTime skewed = ZonedDateTime.now(ZoneOffset.UTC).minusMinutes(20);
        HttpResponse<String> late = send("GET", "/session/whatever", js.headers("GET", "/session/whatever", host(), skewed, ISO), null);
        assertProblem(late, 401, "auth-failed", "window");
        HttpResponse<String> malformed = send("GET", "/session/whatever", Map.of("Authorization", "BackendAI nonsense",
                "X-BackendAI-Date", ISO.format(ZonedDateTime.now(ZoneOffset.UTC)), "X-BackendAI-Version", OriginalClient.VERSION), null);
        assertProblem(malformed, 400, "invalid-auth-params", "signMethod");
        HttpResponse<String> unsigned = send("GET", "/session/whatever", Map.of(), null);
        assertProblem(unsigned, 401, "auth-failed", "Authorization");
        Map<String, String> wrongHost = js.headers("GET", "/auth/test", "example.org:80", ZonedDateTime.now(ZoneOffset.UTC), ISO);
        assertProblem(send("GET", "/auth/test", wrongHost, null), 401, "auth-failed", "signature");
    }

    @Test
    @DisplayName("API-01/07/11/23 create with the JavaScript client's aliases, then read it by name and by id prefix in the original's fields")
    void createAndRead() throws Exception {
        JsonObject created = json(call("POST", "/session", """
                {"lang": "python:3.12", "clientSessionToken": "compat-one", "config": {"resources": {"cpu": "1", "mem": "256m"}},
                 "group_name": "default", "domain": "default", "enqueueOnly": true}"""), 201);
        String id = created.getString("sessionId");
        assertEquals("compat-one", created.getString("sessionName"));
        assertEquals("PENDING", created.getString("status"));
        assertEquals(new JsonArray(), created.getJsonArray("servicePorts"));
        assertTrue(created.getBoolean("created"));

        JsonObject byName = json(call("GET", "/session/compat-one", null), 200);
        assertEquals(id, byName.getString("sessionId"));
        assertEquals("python:3.12", byName.getString("image"));
        assertEquals("python:3.12", byName.getString("lang"));
        assertEquals("PENDING", byName.getString("status"));
        assertTrue(byName.getLong("age") >= 0);
        assertTrue(Instant.parse(byName.getString("creationTime")).isBefore(Instant.now().plusSeconds(1)));
        assertNull(byName.getString("terminationTime"));
        assertTrue(byName.containsKey("lastStat"));
        assertEquals(new JsonObject(), byName.getJsonObject("idleChecks"));
        assertEquals("1", byName.getJsonObject("requestedSlots").getString("cpu"));

        assertEquals(id, json(call("GET", "/session/" + id.substring(0, 8), null), 200).getString("sessionId"));
        assertEquals(id, json(call("GET", "/session/" + id, null), 200).getString("sessionId"));
        assertEquals(1, json(call("GET", "/session/_/match?id=compat-o", null), 200).getJsonArray("matches").size());

        JsonObject again = json(call("POST", "/session", """
                {"image": "python:3.12", "name": "compat-one", "config": {"resources": {"cpu": 1, "mem": "256m"}}}"""), 200);
        assertEquals(id, again.getString("sessionId"), "API-07 reuseIfExists defaults to true");
        assertFalse(again.getBoolean("created"));
        assertProblem(call("POST", "/session", """
                {"image": "python:3.12", "name": "compat-one", "reuseIfExists": false, "config": {"resources": {"cpu": 1, "mem": "256m"}}}"""),
                400, "session-already-exists", "reuseIfExists");
    }

    @Test
    @DisplayName("ERR-02..04 bad creates name the client's keys; from-template and mounts are refused; several prefix matches list them")
    void problems() throws Exception {
        HttpResponse<String> negative = call("POST", "/session", """
                {"lang": "x", "clientSessionToken": "compat-bad", "config": {"resources": {"cpu": 1, "mem": "-1g"}}}""");
        JsonObject problem = assertProblem(negative, 400, "invalid-api-params", "config.resources.mem");
        assertTrue(problem.getString("msg").contains("config.resources.mem"), negative.body());
        assertTrue(problem.getJsonObject("data").containsKey("config.resources.mem"), negative.body());
        assertProblem(call("POST", "/session", "{\"lang\": \"x\", \"clientSessionToken\": \"from-template\"}"), 400, "invalid-api-params", "clientSessionToken");
        assertProblem(call("POST", "/session", "{\"lang\": \"x\", \"name\": \"mounting\", \"config\": {\"mounts\": [\"data\"]}}"),
                501, "not-implemented-api", "config.mounts");
        assertProblem(call("POST", "/session", "{\"lang\": \"x\", \"name\": \"other-domain\", \"domain\": \"elsewhere\","
                + " \"config\": {\"resources\": {\"cpu\": 1, \"mem\": \"1g\"}}}"), 400, "invalid-api-params", "domain");
        assertProblem(call("POST", "/session", "[1]"), 400, "invalid-api-params", "object");

        for (String name : List.of("compat-twin-a", "compat-twin-b")) {
            json(call("POST", "/session", "{\"lang\": \"x\", \"name\": \"" + name + "\", \"config\": {\"resources\": {\"cpu\": 1, \"mem\": \"1g\"}}}"), 201);
        }
        JsonObject many = assertProblem(call("GET", "/session/compat-twin", null), 404, "too-many-sessions-matched", "compat-twin");
        assertEquals(2, many.getJsonObject("data").getJsonArray("matches").size());
        assertEquals("compat-twin-a", json(call("GET", "/session/compat-twin-a", null), 200).getString("sessionName"));
        assertProblem(call("GET", "/session/compat-nobody", null), 404, "session-not-found", "compat-nobody");
        assertProblem(call("DELETE", "/session/compat-twin-a?forced=maybe", null), 400, "invalid-api-params", "forced");
    }

    @Test
    @DisplayName("API-12/21 destroy a pending session ({\"stats\": {\"status\": \"cancelled\"}}) and rename with ?name=, each written to session.requests")
    void destroyAndRename() throws Exception {
        String id = json(call("POST", "/session", "{\"image\": \"x\", \"name\": \"compat-gone\", \"config\": {\"resources\": {\"cpu\": 1, \"mem\": \"1g\"}}}"), 201)
                .getString("sessionId");
        HttpResponse<String> renamed = call("POST", "/session/compat-gone/rename?name=compat-moved", null);
        assertEquals(204, renamed.statusCode(), renamed.body());
        assertEquals("compat-moved", ((RenameSession) api.awaitRequest(id, RenameSession.class).getOp()).getNewName());
        assertProblem(call("POST", "/session/compat-gone/rename?name=x", null), 400, "invalid-api-params", "name");

        JsonObject destroyed = json(call("DELETE", "/session/compat-gone", null), 200);
        assertEquals(new JsonObject().put("status", "cancelled"), destroyed.getJsonObject("stats"));
        assertEquals("user-requested", ((DestroySession) api.awaitRequest(id, DestroySession.class).getOp()).getReason());
        assertEquals("", json(call("GET", "/session/compat-gone/logs", null), 200).getJsonObject("result").getString("logs"));
    }

    @Test
    @DisplayName("routes Berth lacks are 501 not-implemented-api naming them; an unknown path stays url-not-found")
    void notImplemented() throws Exception {
        json(call("POST", "/session", "{\"image\": \"x\", \"name\": \"compat-still\", \"config\": {\"resources\": {\"cpu\": 1, \"mem\": \"1g\"}}}"), 201);
        assertProblem(call("PATCH", "/session/compat-still", null), 501, "not-implemented-api", "restart");
        assertProblem(call("POST", "/session/compat-still", "{\"mode\": \"query\", \"code\": \"1\"}"), 501, "not-implemented-api", "execution");
        assertProblem(call("GET", "/session/compat-still/download?files=a", null), 501, "not-implemented-api", "/session/compat-still/download");
        assertProblem(call("GET", "/folders", null), 501, "not-implemented-api", "virtual folders");
        assertProblem(call("POST", "/folders/data/upload", null), 501, "not-implemented-api", "virtual folders");
        assertProblem(call("GET", "/stream/session/compat-still/pty", null), 501, "not-implemented-api", "streaming");
        assertProblem(call("GET", "/resource/usage/month", null), 501, "not-implemented-api", "/resource/usage/month");
        HttpResponse<String> unknown = call("GET", "/no-such-route", null);
        assertEquals(404, unknown.statusCode());
        assertEquals("https://api.backend.ai/probs/url-not-found", new JsonObject(unknown.body()).getString("type"));
    }

    @Test
    @DisplayName("RES-03/04/08 presets, check-presets and scaling groups in the original's field names")
    void resources() throws Exception {
        assertTrue(json(call("GET", "/resource/presets", null), 200).getJsonArray("presets") != null);
        JsonObject check = json(call("POST", "/resource/check-presets", "{}"), 200);
        for (String field : List.of("keypair_limits", "keypair_using", "keypair_remaining", "scaling_groups", "presets")) {
            assertTrue(check.containsKey(field), field + " in " + check);
        }
        JsonArray groups = json(call("GET", "/scaling-groups?group=default", null), 200).getJsonArray("scaling_groups");
        assertEquals("default", groups.getJsonObject(0).getString("name"));
        assertEquals("superadmin", json(call("GET", "/auth/role", null), 200).getString("global_role"));
    }

    @Test
    @DisplayName("API-25 /events/session?sessionName= watched before the session exists gets session_enqueued, kernel_started, session_started")
    void events() throws Exception {
        ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        String path = "/events/session?sessionName=compat-watched&scope=*";
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
        js.headers("GET", path, host(), ZonedDateTime.now(ZoneOffset.UTC), ISO).forEach(request::header);
        HttpResponse<Stream<String>> stream = http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, stream.statusCode());
        assertTrue(stream.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                stream.body().forEach(lines::add);
            } catch (java.io.UncheckedIOException closed) {
                // the test closed the stream
            }
        });
        try {
            String id = UUID.randomUUID().toString();
            writeEvent(session(id, "compat-other", SessionStatus.PENDING, 1), SessionEventKind.ENQUEUED);
            writeEvent(session(id, "compat-watched", SessionStatus.PENDING, 2), SessionEventKind.ENQUEUED);
            writeEvent(session(id, "compat-watched", SessionStatus.RUNNING, 3), SessionEventKind.STARTED);
            await().atMost(DEADLINE).until(() -> lines.contains("event: session_started"));
            List<String> names = lines.stream().filter(line -> line.startsWith("event: ")).toList();
            assertEquals(List.of("event: session_enqueued", "event: kernel_started", "event: session_started"), names);
            JsonObject data = new JsonObject(lines.stream().filter(line -> line.startsWith("data: ")).reduce((a, b) -> b).orElseThrow().substring(6));
            assertEquals(id, data.getString("sessionId"));
            assertEquals("compat-watched", data.getString("sessionName"));
            assertEquals(superadmin.accessKey(), data.getString("ownerAccessKey"));
        } finally {
            stream.body().close();
            reader.interrupt();
        }
    }

    @Test
    @DisplayName("ADM-01 /admin/graphql answers the clients' login and listing queries with the data object itself; anything else is a GraphQL error")
    void graphql() throws Exception {
        json(call("POST", "/session", "{\"image\": \"x\", \"name\": \"compat-listed\", \"config\": {\"resources\": {\"cpu\": 1, \"mem\": \"1g\"}}}"), 201);
        String list = """
                query($limit:Int!, $offset:Int!, $ak:String, $group_id:String, $status:String) {
                  compute_session_list(limit:$limit, offset:$offset, access_key:$ak, group_id:$group_id, status:$status) {
                    items { id name image created_at terminated_at status status_info occupied_slots containers {live_stat last_stat} }
                    total_count
                  }
                }""";
        JsonObject page = json(call("POST", "/admin/graphql", new JsonObject().put("query", list)
                .put("variables", new JsonObject().put("limit", 2).put("offset", 0).put("status", "PENDING,RUNNING")).encode()), 200)
                .getJsonObject("compute_session_list");
        assertTrue(page.getInteger("total_count") >= 1, page.encode());
        assertTrue(page.getJsonArray("items").size() <= 2);
        JsonObject first = page.getJsonArray("items").getJsonObject(0);
        assertEquals("PENDING", first.getString("status"));
        assertTrue(new JsonObject(first.getString("occupied_slots")).isEmpty(), "a pending session holds nothing");
        assertEquals(0, json(call("POST", "/admin/graphql", new JsonObject().put("query", list)
                .put("variables", new JsonObject().put("limit", 5).put("offset", 0).put("status", "TERMINATED")).encode()), 200)
                .getJsonObject("compute_session_list").getInteger("total_count"));

        JsonObject login = json(call("POST", "/admin/graphql", new JsonObject().put("query", """
                query { keypair { access_key user_id resource_policy concurrency_used is_admin }
                        user { email role domain_name groups { id name } }
                        keypair_resource_policy { name max_concurrent_sessions total_resource_slots } }""").encode()), 200);
        assertEquals(superadmin.accessKey(), login.getJsonObject("keypair").getString("access_key"));
        assertEquals(login.getJsonObject("user").getString("email"), login.getJsonObject("keypair").getString("user_id"));
        assertEquals("superadmin", login.getJsonObject("user").getString("role"));
        assertEquals(login.getJsonObject("keypair").getString("resource_policy"), login.getJsonObject("keypair_resource_policy").getString("name"));
        assertEquals("default", json(call("POST", "/admin/gql", "{\"query\": \"{ user { domain_name } }\"}"), 200)
                .getJsonObject("data").getJsonObject("user").getString("domain_name"));

        HttpResponse<String> unknown = call("POST", "/admin/graphql", "{\"query\": \"{ vfolder_list(limit: 1, offset: 0) { total_count } }\"}");
        JsonObject error = assertProblem(unknown, 400, "graphql-error", "vfolder_list");
        assertTrue(error.getJsonArray("errors").getJsonObject(0).getString("message").contains("vfolder_list"), unknown.body());
        assertProblem(call("POST", "/admin/graphql", "{\"query\": \"{ compute_session_list(limit: 1, offset: 0, status: \\\"NAPPING\\\") { total_count } }\"}"),
                400, "graphql-error", "NAPPING");
    }

    // ---- helpers ----

    private static HttpResponse<String> call(String method, String path, String body) throws Exception {
        return send(method, path, js.headers(method, path, host(), ZonedDateTime.now(ZoneOffset.UTC), ISO), body);
    }

    private static HttpResponse<String> send(String method, String path, Map<String, String> headers, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(DEADLINE)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject json(HttpResponse<String> response, int status) {
        assertEquals(status, response.statusCode(), response.body());
        return new JsonObject(response.body());
    }

    /** The original's problem: type, title, status, detail and the msg its clients print, the same text. */
    private static JsonObject assertProblem(HttpResponse<String> response, int status, String type, String detailPart) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""), response.body());
        JsonObject problem = new JsonObject(response.body());
        assertEquals("https://api.backend.ai/probs/" + type, problem.getString("type"), response.body());
        assertTrue(problem.getString("title") != null && !problem.getString("title").isBlank(), response.body());
        assertTrue(problem.getString("msg").contains(detailPart), response.body());
        assertEquals(problem.getString("msg"), problem.getString("detail"), response.body());
        return problem;
    }

    private static URI uri(String path) {
        return URI.create("http://" + host() + path);
    }

    private static String host() {
        return HOST + ":" + port;
    }

    private static Session session(String sessionId, String name, SessionStatus status, long version) {
        Instant now = Instant.now();
        return Session.newBuilder()
                .setSessionId(sessionId)
                .setAccessKey(superadmin.accessKey())
                .setSpec(SessionSpec.newBuilder().setName(name).setImage("python:3.12").setResources(Map.of("cpu", 1000L)).build())
                .setStatus(status)
                .setStatusHistory(Map.of(status.name(), now.toEpochMilli()))
                .setCreatedAt(now)
                .setKernels(List.of(KernelInfo.newBuilder().setKernelId(KernelIds.of(sessionId, 0)).setClusterRole(KernelIds.role(0))
                        .setClusterHostname(KernelIds.hostname(0)).setStatus(KernelStatus.valueOf(status.name())).build()))
                .setVersion(version)
                .build();
    }

    private static void writeEvent(Session session, SessionEventKind kind) throws Exception {
        api.writeEvent(null, SessionEvent.newBuilder().setSessionId(session.getSessionId()).setAt(Instant.now()).setKind(kind)
                .setSession(session).build());
    }
}
