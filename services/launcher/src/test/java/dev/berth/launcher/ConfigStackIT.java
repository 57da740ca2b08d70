package dev.berth.launcher;

import static dev.berth.launcher.TestStack.JSON;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cluster.TestEtcd;
import dev.berth.identity.Keys;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The shared configuration on a running stack: /v1/admin/config, a live change seen in behaviour, bad values on health. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConfigStackIT {

    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir static Path stateDir;
    private final String prefix = TestEtcd.freshPrefix();
    private final HttpClient http = HttpClient.newHttpClient();
    private TestStack stack;
    private Keys.Keypair superadmin;

    @BeforeAll
    void start() throws Exception {
        TestEtcd.endpoint();
        stack = TestStack.start(stateDir, "config-agent", Map.of("BERTH_CONFIG_PREFIX", prefix, "BERTH_API_RATE_WINDOW", "2m"));
        superadmin = stack.superadmin();
    }

    @AfterAll
    void stop() throws Exception {
        if (stack != null) stack.close();
    }

    @Test
    @DisplayName("GET /v1/admin/config shows every key with value, default, source and when it applies, and the revision as ETag")
    void shows() throws Exception {
        HttpResponse<String> answer = stack.send(superadmin, "GET", "/v1/admin/config", null);
        assertEquals(200, answer.statusCode(), answer.body());
        JsonNode body = JSON.readTree(answer.body());
        assertEquals("\"" + body.path("revision").asLong() + "\"", answer.headers().firstValue("ETag").orElse(""));
        JsonNode window = key(body, "api.rate-window");
        assertEquals("2m", window.path("value").asText(), "seeded from BERTH_API_RATE_WINDOW");
        assertEquals("seed", window.path("source").asText());
        assertEquals("15m", window.path("default").asText());
        assertEquals("live", window.path("applies").asText());
        assertEquals("restart", key(body, "redis.port").path("applies").asText());
        assertEquals("default", key(body, "scheduler.policy").path("source").asText());
    }

    @Test
    @DisplayName("a change of api.rate-limit.default applies at once: the next user's keypair is refused its fourth request; only superadmins may change it")
    void liveRateLimit() throws Exception {
        HttpResponse<String> set = stack.send(superadmin, "PATCH", "/v1/admin/config", "{\"api.rate-limit.default\": 3}");
        assertEquals(200, set.statusCode(), set.body());

        HttpResponse<String> created = stack.send(superadmin, "POST", "/v1/admin/users", """
                {"email": "config-user@example.org", "username": "config-user", "domain": "default"}""");
        assertEquals(201, created.statusCode(), created.body());
        JsonNode pair = JSON.readTree(created.body()).path("keypair");
        Keys.Keypair user = new Keys.Keypair(pair.path("accessKey").asText(), pair.path("secretKey").asText());

        assertEquals(403, stack.send(user, "GET", "/v1/admin/config", null).statusCode());
        assertEquals(403, stack.send(user, "PATCH", "/v1/admin/config", "{\"api.rate-limit.default\": 100}").statusCode());
        assertEquals(200, stack.send(user, "GET", "/v1/sessions", null).statusCode(), "the third of three allowed");
        HttpResponse<String> over = stack.send(user, "GET", "/v1/sessions", null);
        assertEquals(429, over.statusCode(), "the fourth is over the keypair's limit of 3: " + over.body());
    }

    @Test
    @DisplayName("a write with an unknown key or a bad value is refused naming it, with nothing of it applied; a stale If-Match is 409")
    void validatedWrites() throws Exception {
        HttpResponse<String> refused = stack.send(superadmin, "PATCH", "/v1/admin/config", "{\"webhook.attempts\": 2, \"webhook.atempts\": 3}");
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(JSON.readTree(refused.body()).path("detail").asText().contains("webhook.atempts"), refused.body());
        JsonNode now = JSON.readTree(stack.send(superadmin, "GET", "/v1/admin/config?key=webhook.attempts", null).body());
        assertEquals("6", key(now, "webhook.attempts").path("value").asText(), "the good half of the refused write was not applied");

        long revision = now.path("revision").asLong();
        assertEquals(200, stack.send(superadmin, "PATCH", "/v1/admin/config", "{\"webhook.backoff\": \"2s\"}", Map.of("If-Match", "\"" + revision + "\"")).statusCode());
        HttpResponse<String> stale = stack.send(superadmin, "PATCH", "/v1/admin/config", "{\"webhook.backoff\": \"3s\"}", Map.of("If-Match", "\"" + revision + "\""));
        assertEquals(409, stale.statusCode(), stale.body());
    }

    @Test
    @DisplayName("a value written to etcd behind Berth's back that does not parse turns /v1/health's config check down naming it, until it is fixed")
    void badValueOnHealth() throws Exception {
        TestEtcd.put(prefix, "scheduler.agent-stale-after", "forty seconds");
        await().atMost(DEADLINE).until(() -> health().contains("scheduler.agent-stale-after"));
        JsonNode config = JSON.readTree(stack.send(superadmin, "GET", "/v1/admin/config?key=scheduler.agent-stale-after", null).body());
        assertEquals("40s", key(config, "scheduler.agent-stale-after").path("value").asText(), "the last good value stays in effect");
        assertTrue(key(config, "scheduler.agent-stale-after").has("rejected"), config.toString());

        TestEtcd.put(prefix, "scheduler.agent-stale-after", "30s");
        await().atMost(DEADLINE).until(() -> !health().contains("scheduler.agent-stale-after"));
    }

    private String health() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.stack().apiPort() + "/v1/health")).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    private static JsonNode key(JsonNode config, String name) {
        return StreamSupport.stream(config.path("keys").spliterator(), false).filter(k -> k.path("key").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + " in " + config));
    }
}
