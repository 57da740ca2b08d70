package dev.berth.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.berth.common.Env;
import dev.berth.identity.KeypairFile;
import dev.berth.identity.Keys;
import dev.berth.identity.PgSettings;
import dev.berth.identity.RequestSigner;
import dev.berth.identity.TestDatabases;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
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

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INSTALLATION_SECRET = "stack-installation-secret";
    private static final List<String> LIFE = List.of("enqueued", "scheduled", "preparing", "started", "terminating", "terminated");

    /** One POST the receiver got: its path, body, and whether its signature verified with the secret for that path. */
    private record Received(String path, JsonNode body, boolean signed) {}

    @TempDir static Path stateDir;
    private final PgSettings pg = TestDatabases.freshSchema();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private Stack stack;
    private Keys.Keypair keypair;
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
        stack = Stack.start(new Env(Map.ofEntries(
                Map.entry("BERTH_STATE_DIR", stateDir.toString()),
                Map.entry("BERTH_PG_SCHEMA", pg.schema()),
                Map.entry("BERTH_KAFKA_PORT", "0"),
                Map.entry("BERTH_KAFKA_CONTROLLER_PORT", "0"),
                Map.entry("BERTH_API_PORT", "0"),
                Map.entry("BERTH_AGENT_ID", "hooks-agent"),
                Map.entry("BERTH_AGENT_CPU", "2"),
                Map.entry("BERTH_AGENT_MEM", "2g"),
                Map.entry("BERTH_AGENT_HEARTBEAT", "500ms"),
                Map.entry("BERTH_AGENT_KILL_GRACE", "2s"),
                // as berth up does: the receiver is on this machine
                Map.entry("BERTH_DEV_MODE", "true"),
                Map.entry("BERTH_WEBHOOK_SECRET", INSTALLATION_SECRET),
                Map.entry("BERTH_WEBHOOK_POLL", "200ms"))), step -> {});
        keypair = KeypairFile.read(KeypairFile.in(stateDir)).orElseThrow();
    }

    @AfterAll
    void stop() throws Exception {
        if (stack != null) stack.close();
        if (receiver != null) receiver.stop(0);
        TestDatabases.drop(pg);
    }

    @Test
    @DisplayName("HOOK-01/02 a session's callbackUrl and its owner's subscription each get enqueued … terminated in order, signed, with the session")
    void lifecycleInOrder() throws Exception {
        String base = "http://127.0.0.1:" + receiver.getAddress().getPort();
        secrets.put("/callback", INSTALLATION_SECRET);
        HttpResponse<String> subscribed = send("POST", "/v1/webhooks", "{\"url\": \"" + base + "/subscribed\"}");
        assertEquals(201, subscribed.statusCode(), subscribed.body());
        secrets.put("/subscribed", JSON.readTree(subscribed.body()).path("secret").asText());

        HttpResponse<String> created = send("POST", "/v1/sessions", """
                {"name": "hooked", "image": "python:3", "resources": {"cpu": 0.5, "mem": "64m"}, "callbackUrl": "%s/callback"}"""
                .formatted(base));
        assertEquals(201, created.statusCode(), created.body());
        String id = JSON.readTree(created.body()).path("sessionId").asText();
        await().atMost(DEADLINE).until(() -> status(id).equals("RUNNING"));
        assertEquals(202, send("DELETE", "/v1/sessions/" + id, null).statusCode());
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
        assertTrue(get("/v1/health").path("checks").path("webhooks").path("up").asBoolean());
    }

    private List<String> events(String path, String sessionId) {
        return received.stream().filter(hit -> hit.path().equals(path) && hit.body().path("session_id").asText().equals(sessionId))
                .map(hit -> hit.body().path("event").asText()).toList();
    }

    private String status(String id) throws Exception {
        return get("/v1/sessions/" + id).path("status").asText();
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
