package dev.berth.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.cluster.TestEtcd;
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
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * A whole stack for an end-to-end test: its own state directory and PostgreSQL schema, every port
 * picked free, one process agent, the superadmin keypair the first start bootstraps, and signed
 * calls to its API.
 */
final class TestStack implements AutoCloseable {

    static final Duration DEADLINE = Duration.ofSeconds(60);
    static final ObjectMapper JSON = new ObjectMapper();

    private final Stack stack;
    private final PgSettings pg;
    private final Keys.Keypair superadmin;
    private final HttpClient http = HttpClient.newHttpClient();

    private TestStack(Stack stack, PgSettings pg, Keys.Keypair superadmin) {
        this.stack = stack;
        this.pg = pg;
        this.superadmin = superadmin;
    }

    /** An agent named {@code agentId} with 2 cores and 2 GiB, a shared configuration of its own; entries of {@code env} override any default. */
    static TestStack start(Path stateDir, String agentId, Map<String, String> env) throws Exception {
        PgSettings pg = TestDatabases.freshSchema();
        Map<String, String> settings = new HashMap<>(Map.of(
                "BERTH_STATE_DIR", stateDir.toString(),
                "BERTH_PG_SCHEMA", pg.schema(),
                "BERTH_KAFKA_PORT", "0",
                "BERTH_KAFKA_CONTROLLER_PORT", "0",
                "BERTH_API_PORT", "0",
                "BERTH_AGENT_ID", agentId,
                "BERTH_AGENT_CPU", "2",
                "BERTH_AGENT_MEM", "2g",
                "BERTH_AGENT_HEARTBEAT", "500ms",
                "BERTH_AGENT_KILL_GRACE", "2s"));
        // its settings seed a configuration of its own, not the one other stacks on this etcd read
        settings.put("BERTH_CONFIG_PREFIX", TestEtcd.freshPrefix());
        settings.putAll(env);
        Stack stack;
        try {
            stack = Stack.start(new Env(settings), step -> {});
        } catch (Exception | Error e) {
            TestDatabases.drop(pg);
            throw e;
        }
        return new TestStack(stack, pg, KeypairFile.read(KeypairFile.in(stateDir)).orElseThrow());
    }

    Stack stack() {
        return stack;
    }

    Keys.Keypair superadmin() {
        return superadmin;
    }

    String host() {
        return "127.0.0.1:" + stack.apiPort();
    }

    HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        return send(superadmin, method, path, body);
    }

    HttpResponse<String> send(Keys.Keypair keypair, String method, String path, String body) throws IOException, InterruptedException {
        return send(keypair, method, path, body, Map.of());
    }

    /** A request signed with {@code keypair}, with {@code headers} besides; a body is sent as JSON. */
    HttpResponse<String> send(Keys.Keypair keypair, String method, String path, String body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host() + path)).timeout(Duration.ofSeconds(15));
        RequestSigner.headers(keypair.accessKey(), keypair.secretKey(), method, path, host(), body == null ? null : "application/json", Instant.now())
                .forEach(request::header);
        headers.forEach(request::header);
        if (body == null) request.method(method, HttpRequest.BodyPublishers.noBody());
        else request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> sendJson(Keys.Keypair keypair, String method, String path, JsonNode body) throws IOException, InterruptedException {
        return send(keypair, method, path, body == null ? null : body.toString());
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        return get(superadmin, path);
    }

    JsonNode get(Keys.Keypair keypair, String path) throws IOException, InterruptedException {
        return JSON.readTree(send(keypair, "GET", path, null).body());
    }

    /** Creates a session from {@code body}, which must be accepted with 201; its id. */
    String create(String body) throws IOException, InterruptedException {
        HttpResponse<String> created = send("POST", "/v1/sessions", body);
        assertEquals(201, created.statusCode(), created.body());
        return JSON.readTree(created.body()).path("sessionId").asText();
    }

    JsonNode awaitStatus(String id, String status) {
        return awaitStatus(superadmin, id, status, DEADLINE);
    }

    /** The session as {@code keypair} sees it once it has {@code status}. */
    JsonNode awaitStatus(Keys.Keypair keypair, String id, String status, Duration deadline) {
        return await().atMost(deadline).pollInterval(Duration.ofMillis(100))
                .until(() -> get(keypair, "/v1/sessions/" + id), session -> status.equals(session.path("status").asText()));
    }

    @Override
    public void close() throws SQLException {
        try {
            stack.close();
        } finally {
            TestDatabases.drop(pg);
        }
    }
}
