package dev.berth.launcher;

import static dev.berth.launcher.TestStack.DEADLINE;
import static dev.berth.launcher.TestStack.JSON;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks end to end in the whole stack, through the HTTP API: a session with a callbackUrl, and a
 * subscription to its owner's sessions, each receive its lifecycle in order, signed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhooksStackIT {

    private static final String INSTALLATION_SECRET = "stack-installation-secret";
    private static final List<String> LIFE = List.of("enqueued", "scheduled", "preparing", "started", "terminating", "terminated");

    /** One POST the receiver got: its path, body, and whether its signature verified with the secret for that path. */
    private record Received(String path, JsonNode body, boolean signed) {}

    @TempDir static Path stateDir;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private TestStack stack;
    private HttpServer receiver;

    @BeforeAll
    void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            String secret = secrets.get(path);
            String signature = exchange.getRequestHeaders().getFirst("X-Berth-Signature");
            boolean signed = secret != null && signature != null
                    && signature.equals(sign(secret, exchange.getRequestHeaders().getFirst("X-Berth-Timestamp"), body));
            received.add(new Received(path, JSON.readTree(body), signed));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        stack = TestStack.start(stateDir, "hooks-agent", Map.of(
                // as berth up does: the receiver is on this machine
                "BERTH_DEV_MODE", "true",
                "BERTH_WEBHOOK_SECRET", INSTALLATION_SECRET,
                "BERTH_WEBHOOK_POLL", "200ms"));
    }

    @AfterAll
    void stop() throws Exception {
        if (stack != null) stack.close();
        if (receiver != null) receiver.stop(0);
    }

    @Test
    @DisplayName("HOOK-01/02 a session's callbackUrl and its owner's subscription each get enqueued … terminated in order, signed, with the session")
    void lifecycleInOrder() throws Exception {
        String base = "http://127.0.0.1:" + receiver.getAddress().getPort();
        secrets.put("/callback", INSTALLATION_SECRET);
        HttpResponse<String> subscribed = stack.send("POST", "/v1/webhooks", "{\"url\": \"" + base + "/subscribed\"}");
        assertEquals(201, subscribed.statusCode(), subscribed.body());
        secrets.put("/subscribed", JSON.readTree(subscribed.body()).path("secret").asText());

        HttpResponse<String> created = stack.send("POST", "/v1/sessions", """
                {"name": "hooked", "image": "python:3", "resources": {"cpu": 0.5, "mem": "64m"}, "callbackUrl": "%s/callback"}"""
                .formatted(base));
        assertEquals(201, created.statusCode(), created.body());
        String id = JSON.readTree(created.body()).path("sessionId").asText();
        await().atMost(DEADLINE).until(() -> status(id).equals("RUNNING"));
        assertEquals(202, stack.send("DELETE", "/v1/sessions/" + id, null).statusCode());
        await().atMost(DEADLINE).until(() -> status(id).equals("TERMINATED"));

        for (String path : List.of("/callback", "/subscribed")) {
            await().atMost(DEADLINE).until(() -> events(path, id), LIFE::equals);
            for (Received hit : received.stream().filter(hit -> hit.path().equals(path)).toList()) {
                assertTrue(hit.signed(), path + " got an unsigned or wrongly signed POST: " + hit.body());
                assertEquals("session_lifecycle", hit.body().path("type").asText());
                assertEquals(id, hit.body().path("session").path("sessionId").asText());
                assertEquals("hooked", hit.body().path("session").path("name").asText());
            }
        }
        Received started = received.stream().filter(hit -> hit.path().equals("/callback") && hit.body().path("event").asText().equals("started"))
                .findFirst().orElseThrow();
        assertEquals("RUNNING", started.body().path("session").path("status").asText(), "the session as it was right after the event");
        assertTrue(Instant.parse(started.body().path("when").asText()).isBefore(Instant.now()));
        assertTrue(stack.get("/v1/health").path("checks").path("webhooks").path("up").asBoolean());
    }

    private List<String> events(String path, String sessionId) {
        return received.stream().filter(hit -> hit.path().equals(path) && hit.body().path("session_id").asText().equals(sessionId))
                .map(hit -> hit.body().path("event").asText()).toList();
    }

    private String status(String id) throws Exception {
        return stack.get("/v1/sessions/" + id).path("status").asText();
    }

    private static String sign(String secret, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
