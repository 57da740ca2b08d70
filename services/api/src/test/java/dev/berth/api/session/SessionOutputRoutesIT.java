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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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

    private final String sessionId = UUID.randomUUID().toString();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        view = new SessionView("127.0.0.1:9", "unused"); // never started: sessions come from putProvisional
        routes = new SessionOutputRoutes(vertx, REDIS_HOST, REDIS_PORT, view);
        Router router = Router.router(vertx);
        // stands in for the authenticator: the caller is the access key the test names
        router.route().handler(ctx -> {
            new Principal(ctx.request().getHeader(CALLER), "u-" + ctx.request().getHeader(CALLER), "x@example.org", "default",
                    Role.USER, "default", 1000).attachTo(ctx);
            ctx.next();
        });
        router.route(HttpMethod.GET, "/v1/sessions/:id/logs").handler(routes::logs);
        router.route(HttpMethod.GET, "/v1/sessions/:id/stats").handler(routes::stats);
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
        await(redis.del(List.of(SessionOutputRoutes.LOGS_KEY + sessionId, SessionOutputRoutes.STATS_KEY + sessionId)));
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
    @DisplayName("AUTH-06 another user's session is as unknown as a missing one: its logs and stats are a 404")
    void othersSessionsAreHidden() throws Exception {
        known();
        await(redis.set(List.of(SessionOutputRoutes.LOGS_KEY + sessionId, "secret\n")));

        for (String path : List.of("/logs", "/stats")) {
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
