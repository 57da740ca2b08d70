package dev.berth.webhooks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.api.TestApi;
import dev.berth.identity.Keys;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionType;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/webhooks} through the signed HTTP API, with the dispatcher delivering beside it: input
 * checks at subscription and session create, who sees which subscription and failure, and a dead
 * receiver's failures sent again once it is back.
 */
class WebhooksApiIT {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private static TestApi api;
    private static Webhooks webhooks;
    private static TestReceiver receiver;
    private static Keys.Keypair superadmin;

    @BeforeAll
    static void start() throws Exception {
        api = TestApi.start(1, Map.of("BERTH_DEV_MODE", "true", "BERTH_WEBHOOK_ATTEMPTS", "2", "BERTH_WEBHOOK_BACKOFF", "100ms",
                "BERTH_WEBHOOK_TIMEOUT", "2s", "BERTH_WEBHOOK_POLL", "100ms"));
        receiver = new TestReceiver(api.vertx());
        webhooks = Webhooks.start(api.vertx(), api.berth(), api.pg(), WebhookSettings.from(api.env()), api.metrics(), api.health(),
                api.topics().prefix() + "webhooks", Clock.systemUTC());
        superadmin = api.superadmin();
    }

    @AfterAll
    static void stop() throws Exception {
        if (webhooks != null) webhooks.close();
        if (receiver != null) receiver.close();
        if (api != null) api.close();
    }

    @Test
    @DisplayName("HOOK a subscription or a session with a non-http, denied, too long or unknown-scope URL is 400 naming the field; another user's scope 403")
    void badInput() throws Exception {
        User alice = newUser("alice");
        String tooLong = "https://hooks.example.com/" + "a".repeat(2048);
        assertProblem(callAs(alice, HttpMethod.POST, "/v1/webhooks", new JsonObject().put("url", "ftp://hooks.example.com/x")),
                400, "invalid-api-params", "url must be an http or https URL");
        assertProblem(callAs(alice, HttpMethod.POST, "/v1/webhooks", new JsonObject().put("url", "http://169.254.169.254/latest")),
                400, "invalid-api-params", "url names a denied host");
        assertProblem(callAs(alice, HttpMethod.POST, "/v1/webhooks", new JsonObject().put("url", tooLong)),
                400, "invalid-api-params", "url must be at most 2048 characters");
        assertProblem(callAs(alice, HttpMethod.POST, "/v1/webhooks", new JsonObject().put("url", "https://hooks.example.com/x").put("project", "no-such")),
                400, "invalid-api-params", "project names no project: no-such");
        assertProblem(callAs(alice, HttpMethod.POST, "/v1/webhooks", new JsonObject().put("url", "https://hooks.example.com/x")
                .put("events", new JsonArray().add("exploded"))), 400, "invalid-api-params", "events[0] must be one of");
        User bob = newUser("bob");
        assertProblem(callAs(alice, HttpMethod.POST, "/v1/webhooks", new JsonObject().put("url", "https://hooks.example.com/x").put("userId", bob.id())),
                403, "insufficient-privilege", "its own sessions only");

        for (var bad : Map.of("ftp://hooks.example.com/x", "callbackUrl must be an http or https URL",
                "http://169.254.169.254/latest", "callbackUrl names a denied host",
                tooLong, "callbackUrl must be at most 2048 characters").entrySet()) {
            assertProblem(callAs(alice, HttpMethod.POST, "/v1/sessions", session("bad-cb").put("callbackUrl", bad.getKey())),
                    400, "invalid-api-params", bad.getValue());
        }
        // development mode (BERTH_DEV_MODE=true here) lets a receiver on this machine in
        HttpResponse<Buffer> local = callAs(alice, HttpMethod.POST, "/v1/sessions", session("local-cb").put("callbackUrl", "http://127.0.0.1:9/x"));
        assertEquals(201, local.statusCode(), local.bodyAsString());
    }

    @Test
    @DisplayName("HOOK the secret is shown once; a subscription is seen by its owner and the superadmin, not by another user; DELETE deactivates it")
    void subscriptions() throws Exception {
        User carol = newUser("carol");
        User dave = newUser("dave");
        HttpResponse<Buffer> created = callAs(carol, HttpMethod.POST, "/v1/webhooks", new JsonObject()
                .put("url", "https://hooks.example.com/carol").put("events", new JsonArray().add("started")));
        assertEquals(201, created.statusCode(), created.bodyAsString());
        JsonObject subscription = created.bodyAsJsonObject();
        String id = subscription.getString("id");
        assertEquals(48, subscription.getString("secret").length());
        assertEquals("user", subscription.getString("scope"));
        assertEquals(carol.id(), subscription.getString("userId"));
        assertEquals(new JsonArray().add("started"), subscription.getJsonArray("events"));
        assertEquals("/v1/webhooks/" + id, created.getHeader("Location"));

        JsonObject shown = ok(callAs(carol, HttpMethod.GET, "/v1/webhooks/" + id, null));
        assertNull(shown.getString("secret"), "the secret is not shown again");
        assertEquals(subscription.copy().put("secret", (String) null), shown.put("secret", (String) null));
        assertTrue(ids(ok(callAs(carol, HttpMethod.GET, "/v1/webhooks", null))).contains(id));
        assertTrue(ids(ok(callAs(superadmin, HttpMethod.GET, "/v1/webhooks?limit=1000", null))).contains(id));
        assertFalse(ids(ok(callAs(dave, HttpMethod.GET, "/v1/webhooks", null))).contains(id));
        assertProblem(callAs(dave, HttpMethod.GET, "/v1/webhooks/" + id, null), 404, "object-not-found", id);
        assertProblem(callAs(dave, HttpMethod.DELETE, "/v1/webhooks/" + id, null), 404, "object-not-found", id);
        assertProblem(callAs(dave, HttpMethod.GET, "/v1/webhooks/not-a-uuid", null), 400, "invalid-api-params", "the webhook id must be a UUID");

        JsonObject deleted = ok(callAs(carol, HttpMethod.DELETE, "/v1/webhooks/" + id, null));
        assertFalse(deleted.getBoolean("active"));
        assertProblem(callAs(carol, HttpMethod.GET, "/v1/webhooks/" + id, null), 404, "object-not-found", id);
        assertFalse(ids(ok(callAs(carol, HttpMethod.GET, "/v1/webhooks", null))).contains(id));
    }

    @Test
    @DisplayName("HOOK a project's sessions are for its domain admins and the superadmin to subscribe to, not for a member, who could not read them")
    void projectScope() throws Exception {
        User member = newUser("member");
        assertProblem(callAs(member, HttpMethod.POST, "/v1/webhooks", new JsonObject().put("url", "https://hooks.example.com/p").put("project", "default")),
                403, "insufficient-privilege", "its own sessions only");
        HttpResponse<Buffer> created = callAs(superadmin, HttpMethod.POST, "/v1/webhooks",
                new JsonObject().put("url", "https://hooks.example.com/p").put("project", "default"));
        assertEquals(201, created.statusCode(), created.bodyAsString());
        assertEquals("default", created.bodyAsJsonObject().getString("project"));
        assertEquals("default", created.bodyAsJsonObject().getString("domain"));
        assertEquals(new JsonArray(), created.bodyAsJsonObject().getJsonArray("events"));
        assertFalse(ids(ok(callAs(member, HttpMethod.GET, "/v1/webhooks", null))).contains(created.bodyAsJsonObject().getString("id")));
    }

    @Test
    @DisplayName("HOOK a dead receiver's deliveries end as failures its owner sees (paginated), nobody else; once it is back, redeliver sends them")
    void failuresAndRedelivery() throws Exception {
        User erin = newUser("erin");
        User frank = newUser("frank");
        String down = "down-" + UUID.randomUUID();
        String callback = "cbdown-" + UUID.randomUUID();
        HttpResponse<Buffer> created = callAs(erin, HttpMethod.POST, "/v1/webhooks", new JsonObject()
                .put("url", receiver.url("down", down, null)).put("events", new JsonArray().add("started")));
        assertEquals(201, created.statusCode(), created.bodyAsString());
        String subscription = created.bodyAsJsonObject().getString("id");
        receiver.url("down", down, created.bodyAsJsonObject().getString("secret"));

        // when: two sessions of erin live, one with a callbackUrl, and every POST is answered 503
        String watched = UUID.randomUUID().toString();
        String calling = UUID.randomUUID().toString();
        for (SessionEvent event : new Events(watched, "default", erin.id(), null, SessionType.INTERACTIVE).life()) write(event);
        for (SessionEvent event : new Events(calling, "default", erin.id(), receiver.url("down", callback, null), SessionType.INTERACTIVE).life()) {
            write(event);
        }

        // then: erin sees 2 + 6 failures (her subscription's two started, the callback's whole life), in pages; frank none
        JsonObject page = await().atMost(DEADLINE).until(() -> ok(callAs(erin, HttpMethod.GET, "/v1/webhooks/failures?limit=2", null)),
                failures -> failures.getLong("total") == 8);
        assertEquals(2, page.getJsonArray("items").size());
        assertEquals(2, page.getInteger("limit"));
        JsonObject all = ok(callAs(erin, HttpMethod.GET, "/v1/webhooks/failures?limit=10&offset=0", null));
        JsonObject started = item(all, item -> subscription.equals(item.getString("subscriptionId")) && watched.equals(item.getString("sessionId")));
        assertEquals(watched, started.getString("sessionId"));
        assertEquals("started", started.getString("event"));
        assertEquals(2, started.getInteger("attempts"));
        assertEquals("HTTP 503", started.getString("lastError"));
        assertEquals("session_lifecycle", started.getJsonObject("payload").getString("type"));
        JsonObject enqueued = item(all, item -> calling.equals(item.getString("sessionId")) && "enqueued".equals(item.getString("event")));
        assertNull(enqueued.getString("subscriptionId"), "a callbackUrl's failure has no subscription");
        assertEquals(0, ok(callAs(frank, HttpMethod.GET, "/v1/webhooks/failures", null)).getLong("total"));
        assertTrue(ok(callAs(superadmin, HttpMethod.GET, "/v1/webhooks/failures", null)).getLong("total") >= 8);

        // when: the receiver is back and erin asks for two of them again
        receiver.bringUp(down);
        receiver.bringUp(callback);
        assertProblem(callAs(frank, HttpMethod.POST, "/v1/webhooks/failures/" + started.getString("id") + "/redeliver", null),
                404, "object-not-found", started.getString("id"));
        for (JsonObject failure : List.of(started, enqueued)) {
            HttpResponse<Buffer> again = callAs(erin, HttpMethod.POST, "/v1/webhooks/failures/" + failure.getString("id") + "/redeliver", null);
            assertEquals(202, again.statusCode(), again.bodyAsString());
            assertEquals("pending", again.bodyAsJsonObject().getString("status"));
        }

        // then: those two are delivered, with the idempotency keys they failed with, and are failures no more; the others stay
        await().atMost(DEADLINE).untilAsserted(() -> {
            assertEquals(List.of("started"), receiver.delivered(down, watched));
            assertEquals(List.of("enqueued"), receiver.delivered(callback, calling));
        });
        assertEquals(List.of(started.getString("id")), receiver.hits(down).stream().filter(TestReceiver.Hit::delivered).map(TestReceiver.Hit::deliveryId).toList());
        assertEquals(List.of(), receiver.delivered(down, calling));
        assertEquals(List.of(), receiver.badSignatures());
        await().atMost(DEADLINE).until(() -> ok(callAs(erin, HttpMethod.GET, "/v1/webhooks/failures", null)).getLong("total") == 6);
        assertProblem(callAs(erin, HttpMethod.POST, "/v1/webhooks/failures/" + started.getString("id") + "/redeliver", null),
                403, "generic-forbidden", "is delivered");
    }

    // ---- helpers ----

    private record User(String id, Keys.Keypair keypair) {}

    private static User newUser(String prefix) throws Exception {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<Buffer> created = callAs(superadmin, HttpMethod.POST, "/v1/admin/users",
                new JsonObject().put("email", name + "@example.org").put("username", name).put("domain", "default").put("role", "user"));
        assertEquals(201, created.statusCode(), created.bodyAsString());
        JsonObject body = created.bodyAsJsonObject();
        ok(callAs(superadmin, HttpMethod.PUT, "/v1/admin/projects/default/members/" + body.getString("id"), null));
        JsonObject keypair = body.getJsonObject("keypair");
        return new User(body.getString("id"), new Keys.Keypair(keypair.getString("accessKey"), keypair.getString("secretKey")));
    }

    private static JsonObject session(String name) {
        return new JsonObject().put("name", name + "-" + UUID.randomUUID().toString().substring(0, 8)).put("image", "python:3.12")
                .put("resources", new JsonObject().put("cpu", 0.5).put("mem", "128m"));
    }

    private static void write(SessionEvent event) throws Exception {
        api.writeEvent(null, event);
    }

    private static HttpResponse<Buffer> callAs(User user, HttpMethod method, String path, JsonObject body) throws Exception {
        return callAs(user.keypair(), method, path, body);
    }

    private static HttpResponse<Buffer> callAs(Keys.Keypair keypair, HttpMethod method, String path, JsonObject body) throws Exception {
        return api.send(keypair, method, path, body == null ? null : body.encode());
    }

    private static JsonObject ok(HttpResponse<Buffer> response) {
        assertTrue(response.statusCode() == 200 || response.statusCode() == 201, response.statusCode() + " " + response.bodyAsString());
        return response.bodyAsJsonObject();
    }

    private static List<String> ids(JsonObject page) {
        return page.getJsonArray("items").stream().map(item -> ((JsonObject) item).getString("id")).toList();
    }

    private static JsonObject item(JsonObject page, java.util.function.Predicate<JsonObject> which) {
        return page.getJsonArray("items").stream().map(JsonObject.class::cast).filter(which).findFirst()
                .orElseThrow(() -> new AssertionError("no such item in " + page.encodePrettily()));
    }

    private static void assertProblem(HttpResponse<Buffer> response, int status, String type, String detail) {
        assertEquals(status, response.statusCode(), response.bodyAsString());
        assertEquals("application/problem+json", response.getHeader("Content-Type"));
        JsonObject problem = response.bodyAsJsonObject();
        assertTrue(problem.getString("type").endsWith("/" + type), problem.encode());
        assertTrue(problem.getString("detail").contains(detail), problem.encode());
    }
}
