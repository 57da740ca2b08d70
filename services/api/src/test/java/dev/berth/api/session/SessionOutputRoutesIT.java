package dev.berth.api.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.api.auth.Principal;
import dev.berth.api.auth.Role;
import dev.berth.api.problem.ProblemHandler;
import dev.berth.schema.avro.SessionSpec;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The logs and stats routes against the real Redis of infra/servers.sh, with what an agent writes there. */
class SessionOutputRoutesIT {

    private static final String CALLER = "X-Test-Access-Key";
    private static final String OWNER = "AKTESTOWNER";
    private static final String REDIS_HOST = "127.0.0.1";
    private static final int REDIS_PORT = Integer.parseInt(System.getenv().getOrDefault("BERTH_REDIS_PORT", "16379"));

    private static Vertx vertx;
    private static SessionView view;
    private static SessionOutputRoutes routes;
    private static HttpServer server;
    private static WebClient client;
    private static RedisAPI redis;
    private static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final List<String> activities = new CopyOnWriteArrayList<>();

    private final String sessionId = UUID.randomUUID().toString();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        view = new SessionView("127.0.0.1:9", "unused"); // never started: sessions come from putProvisional
        routes = new SessionOutputRoutes(vertx, REDIS_HOST, REDIS_PORT, view,
                (sessionId, accessKey, action) -> activities.add(sessionId + " " + accessKey + " " + action), CLOCK);
        Router router = Router.router(vertx);
        // stands in for the authenticator: the caller is the access key the test names
        router.route().handler(ctx -> {
            new Principal(ctx.request().getHeader(CALLER), "u-" + ctx.request().getHeader(CALLER), "x@example.org", "default",
                    Role.USER, "default", 1000).attachTo(ctx);
            ctx.next();
        });
        router.route(HttpMethod.GET, "/v1/sessions/:id/logs").handler(routes::logs);
        router.route(HttpMethod.GET, "/v1/sessions/:id/stats").handler(routes::stats);
        router.route(HttpMethod.GET, "/v1/sessions/:id/idle-checks").handler(routes::idleChecks);
        router.route().failureHandler(new ProblemHandler());
        server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
        client = WebClient.create(vertx);
        redis = RedisAPI.api(Redis.createClient(vertx, "redis://" + REDIS_HOST + ":" + REDIS_PORT));
    }

    @AfterAll
    static void stop() throws Exception {
        if (routes != null) routes.close();
        if (view != null) view.close();
        if (vertx != null) await(vertx.close());
    }

    @AfterEach
    void cleanRedis() throws Exception {
        await(redis.del(List.of(SessionOutputRoutes.LOGS_KEY + sessionId, SessionOutputRoutes.STATS_KEY + sessionId,
                reportKey("network_timeout"), reportKey("session_lifetime"), reportKey("utilization"))));
        activities.clear();
    }

    @Test
    @DisplayName("IDL-20 idle checks: each reported checker's remaining time counted from its deadline at the moment of the request")
    void idleChecks() throws Exception {
        known();
        long now = NOW.toEpochMilli();
        await(redis.set(List.of(reportKey("network_timeout"),
                "{\"deadline\":" + (now + 90_500) + ",\"at\":" + (now - 30_000) + ",\"remaining_time_type\":\"expire_after\",\"extra\":null}")));
        await(redis.set(List.of(reportKey("session_lifetime"),
                "{\"deadline\":" + (now - 1) + ",\"at\":" + (now - 30_000) + ",\"remaining_time_type\":\"expire_after\",\"extra\":null}")));
        await(redis.set(List.of(reportKey("utilization"), "{\"deadline\":null,\"at\":" + now
                + ",\"remaining_time_type\":\"grace_period\",\"extra\":{\"thresholds_check_operator\":\"and\",\"resources\":{\"cpu_util\":[1.5,10.0]}}}")));

        JsonObject checks = get("/v1/sessions/" + sessionId + "/idle-checks", 200).bodyAsJsonObject().getJsonObject("idleChecks");

        assertEquals(90.5, checks.getJsonObject("network_timeout").getDouble("remaining"));
        assertEquals("expire_after", checks.getJsonObject("network_timeout").getString("remaining_time_type"));
        assertEquals(-1.0, checks.getJsonObject("session_lifetime").getDouble("remaining"), "past its deadline");
        assertEquals(null, checks.getJsonObject("utilization").getValue("remaining"), "no deadline: unlimited");
        assertEquals("and", checks.getJsonObject("utilization").getJsonObject("extra").getString("thresholds_check_operator"));
        assertEquals(List.of(), activities, "looking at the countdown is no activity");
        assertEquals(new JsonObject(), get("/v1/sessions/" + knownOther() + "/idle-checks", 200).bodyAsJsonObject().getJsonObject("idleChecks"));
    }

    @Test
    @DisplayName("IDL-09 a log or stats read is the user's activity on the session")
    void readsAreActivity() throws Exception {
        known();

        get("/v1/sessions/" + sessionId + "/logs", 200);
        get("/v1/sessions/" + sessionId + "/stats", 200);

        assertEquals(List.of(sessionId + " " + OWNER + " logs", sessionId + " " + OWNER + " stats"), activities);
    }

    private String reportKey(String checker) {
        return "session." + sessionId + "." + checker + ".report";
    }

    @Test
    @DisplayName("API logs: the main kernel's output as the agent left it, and its last N lines with ?tail=N")
    void logs() throws Exception {
        known();
        await(redis.set(List.of(SessionOutputRoutes.LOGS_KEY + sessionId, "one\ntwo\nthree\n")));

        JsonObject all = get("/v1/sessions/" + sessionId + "/logs", 200).bodyAsJsonObject();
        JsonObject tail = get("/v1/sessions/" + sessionId + "/logs?tail=2", 200).bodyAsJsonObject();

        assertEquals(new JsonObject().put("sessionId", sessionId).put("logs", "one\ntwo\nthree\n").put("lines", 3), all);
        assertEquals("two\nthree\n", tail.getString("logs"));
        assertEquals(2, tail.getInteger("lines"));
    }

    @Test
    @DisplayName("API logs: a session without output yet has empty logs")
    void noLogsYet() throws Exception {
        known();

        JsonObject body = get("/v1/sessions/" + sessionId + "/logs?tail=5", 200).bodyAsJsonObject();

        assertEquals("", body.getString("logs"));
        assertEquals(0, body.getInteger("lines"));
    }

    @Test
    @DisplayName("ERR-02 a tail that is not 1..10000 is a 400 naming the parameter; an unknown session is a 404")
    void badInput() throws Exception {
        known();

        for (String bad : List.of("0", "-1", "abc", "10001")) {
            JsonObject problem = get("/v1/sessions/" + sessionId + "/logs?tail=" + bad, 400).bodyAsJsonObject();
            assertTrue(problem.getString("detail").contains("tail"), problem.encode());
            assertTrue(problem.getString("type").endsWith("invalid-api-params"), problem.encode());
        }
        JsonObject missing = get("/v1/sessions/" + UUID.randomUUID() + "/stats", 404).bodyAsJsonObject();
        assertTrue(missing.getString("type").endsWith("session-not-found"), missing.encode());
        JsonObject notAnId = get("/v1/sessions/nope/logs", 400).bodyAsJsonObject();
        assertTrue(notAnId.getString("detail").contains("session id"), notAnId.encode());
    }

    @Test
    @DisplayName("AUTH-06 another user's session is as unknown as a missing one: its logs, stats and idle checks are a 404")
    void othersSessionsAreHidden() throws Exception {
        known();
        await(redis.set(List.of(SessionOutputRoutes.LOGS_KEY + sessionId, "secret\n")));

        for (String path : List.of("/logs", "/stats", "/idle-checks")) {
            HttpResponse<Buffer> response = await(client.get(server.actualPort(), "127.0.0.1", "/v1/sessions/" + sessionId + path)
                    .putHeader(CALLER, "AKSOMEONEELSE").send());
            assertEquals(404, response.statusCode(), response.bodyAsString());
            assertTrue(!response.bodyAsString().contains("secret"));
        }
    }

    @Test
    @DisplayName("USG-01 stats: the latest sample of each kernel, ordered by kernel id")
    void stats() throws Exception {
        known();
        await(redis.hset(List.of(SessionOutputRoutes.STATS_KEY + sessionId,
                "k2", "{\"kernelId\":\"k2\",\"cpuPercent\":12.5,\"memBytes\":2048}",
                "k1", "{\"kernelId\":\"k1\",\"cpuPercent\":50.0,\"memBytes\":1024}")));

        JsonObject body = get("/v1/sessions/" + sessionId + "/stats", 200).bodyAsJsonObject();

        assertEquals(sessionId, body.getString("sessionId"));
        assertEquals(List.of("k1", "k2"), body.getJsonArray("kernels").stream().map(k -> ((JsonObject) k).getString("kernelId")).toList());
        assertEquals(50.0, body.getJsonArray("kernels").getJsonObject(0).getDouble("cpuPercent"));
        assertEquals(0, get("/v1/sessions/" + knownOther() + "/stats", 200).bodyAsJsonObject().getJsonArray("kernels").size());
    }

    @Test
    @DisplayName("lines keep their ends, so a tail joins back into the text's end")
    void lines() {
        assertEquals(List.of("a\n", "b\n", "c"), SessionOutputRoutes.lines("a\nb\nc"));
        assertEquals(List.of(), SessionOutputRoutes.lines(""));
    }

    private void known() {
        view.putProvisional(sessionId, OWNER, SessionSpec.newBuilder().setName("n").setImage("img").setResources(Map.of()).build(),
                Instant.now());
    }

    private String knownOther() {
        String other = UUID.randomUUID().toString();
        view.putProvisional(other, OWNER, SessionSpec.newBuilder().setName("n").setImage("img").setResources(Map.of()).build(),
                Instant.now());
        return other;
    }

    private HttpResponse<Buffer> get(String path, int status) throws Exception {
        HttpResponse<Buffer> response = await(client.get(server.actualPort(), "127.0.0.1", path).putHeader(CALLER, OWNER).send());
        assertEquals(status, response.statusCode(), response.bodyAsString());
        return response;
    }

    private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
