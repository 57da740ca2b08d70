package dev.berth.launcher;

import static dev.berth.launcher.TestStack.DEADLINE;
import static dev.berth.launcher.TestStack.JSON;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.identity.Keys;
import dev.berth.identity.RequestSigner;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The original Backend.AI API on a whole stack: the root paths driven over HTTP as an original
 * client does, and once by the original JavaScript client library itself, installed from npm into
 * target/ at test time (skipped, saying why, where node, npm or the registry is missing).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackendAiClientIT {

    /** The client library and version whose requests Berth must answer; the only one on npm. */
    private static final String CLIENT = "backend.ai-client@21.3.1";
    private static final Path CLIENT_DIR = Path.of("target/backendai-client").toAbsolutePath();

    @TempDir static Path stateDir;
    private final HttpClient http = HttpClient.newHttpClient();
    private TestStack stack;
    private Keys.Keypair keypair;

    @BeforeAll
    void start() throws Exception {
        stack = TestStack.start(stateDir, "compat-agent", Map.of());
        keypair = stack.superadmin();
    }

    @AfterAll
    void stop() throws Exception {
        if (stack != null) stack.close();
    }

    @Test
    @DisplayName("API-07/11/12 the original's create, info by name and destroy run a session on the agent and end it user-requested")
    void originalRoutesOnTheStack() throws Exception {
        HttpResponse<String> created = send("POST", "/session", """
                {"name": "compat-stack", "image": "python:3.12", "tag": null, "enqueueOnly": false, "maxWaitSeconds": 30,
                 "config": {"resources": {"cpu": "0.5", "mem": "64m"}, "mounts": [], "environ": {}}}""");
        assertEquals(201, created.statusCode(), created.body());
        assertEquals("RUNNING", JSON.readTree(created.body()).path("status").asText(), "maxWaitSeconds held the answer until it ran: " + created.body());
        JsonNode info = JSON.readTree(send("GET", "/session/compat-stack", null).body());
        assertEquals("RUNNING", info.path("status").asText(), info.toString());
        assertEquals("compat-agent", info.path("agentIds").path(0).asText(), info.toString());

        HttpResponse<String> destroyed = send("DELETE", "/session/compat-stack", null);
        assertEquals(200, destroyed.statusCode(), destroyed.body());
        assertTrue(JSON.readTree(destroyed.body()).has("stats"), destroyed.body());
        JsonNode ended = await().atMost(DEADLINE).pollInterval(Duration.ofMillis(200))
                .until(() -> JSON.readTree(send("GET", "/session/compat-stack", null).body()), node -> "TERMINATED".equals(node.path("status").asText()));
        assertEquals("user-requested", ended.path("statusInfo").asText(), ended.toString());
    }

    @Test
    @DisplayName("the original JavaScript client (npm backend.ai-client) handshakes, creates, watches events, reads, lists and destroys a session")
    void originalJavaScriptClient() throws Exception {
        assumeTrue(run(List.of("node", "--version"), Path.of("."), Duration.ofSeconds(10)).ok(), "node is not installed");
        if (!Files.exists(CLIENT_DIR.resolve("node_modules/backend.ai-client/backend.ai-client-node.js"))) {
            Files.createDirectories(CLIENT_DIR);
            Result installed = run(List.of("npm", "install", "--prefix", CLIENT_DIR.toString(), "--no-audit", "--no-fund",
                    "--loglevel=error", CLIENT), CLIENT_DIR, Duration.ofSeconds(180));
            assumeTrue(installed.ok(), "npm could not install " + CLIENT + " (no npm, or the registry is unreachable): " + installed.output());
        }
        Path script = CLIENT_DIR.resolve("drive.js");
        try (InputStream in = getClass().getResourceAsStream("/backendai-client/drive.js")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        ProcessBuilder node = new ProcessBuilder("node", script.toString(), CLIENT_DIR.toString());
        node.environment().put("BACKEND_ACCESS_KEY", keypair.accessKey());
        node.environment().put("BACKEND_SECRET_KEY", keypair.secretKey());
        node.environment().put("BACKEND_ENDPOINT", "http://127.0.0.1:" + stack.stack().apiPort());
        node.environment().put("DRIVE_DEADLINE_MS", String.valueOf(DEADLINE.toMillis()));
        Result driven = run(node, DEADLINE.plusSeconds(30));
        assertTrue(driven.ok(), driven.output());
        JsonNode out = JSON.readTree(driven.output().lines().filter(line -> line.startsWith("{")).reduce((a, b) -> b).orElseThrow());

        assertEquals("v8.20240915", out.path("apiVersion").asText(), out.toString());
        assertEquals("/session", out.path("kernelPrefix").asText(), "the handshake made the client speak v5+ paths");
        String sessionId = out.path("created").path("sessionId").asText();
        assertTrue(!sessionId.isEmpty(), out.toString());
        assertEquals(sessionId, out.path("info").path("sessionId").asText(), out.toString());
        assertEquals("RUNNING", out.path("info").path("status").asText(), out.toString());
        List<String> listed = new ArrayList<>();
        out.path("list").path("compute_session_list").path("items").forEach(item -> listed.add(item.path("id").asText()));
        assertTrue(listed.contains(sessionId), "compute_session_list shows the running session: " + out.path("list"));
        assertEquals(keypair.accessKey(), out.path("keypair").path("keypair").path("access_key").asText(), out.toString());
        assertTrue(out.path("destroyed").has("stats"), out.toString());
        List<String> names = new ArrayList<>();
        out.path("events").forEach(event -> names.add(event.path("event").asText()));
        assertTrue(names.indexOf("session_enqueued") < names.indexOf("session_started"), names.toString());
        assertTrue(names.indexOf("session_started") < names.indexOf("session_terminated"), names.toString());
        assertTrue(names.contains("kernel_started"), names.toString());
    }

    private record Result(boolean ok, String output) {}

    private static Result run(List<String> command, Path dir, Duration limit) throws InterruptedException {
        return run(new ProcessBuilder(command).directory(dir.toFile()), limit);
    }

    /** Runs to the end within {@code limit} (killed after), stderr with stdout; a command that cannot start is not ok. */
    private static Result run(ProcessBuilder builder, Duration limit) throws InterruptedException {
        Process process;
        try {
            process = builder.redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Result(false, e.getMessage());
        }
        StringBuilder output = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                output.append(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                output.append(e.getMessage());
            }
        });
        boolean ended = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        if (!ended) process.destroyForcibly().waitFor();
        reader.join(Duration.ofSeconds(5));
        return new Result(ended && process.exitValue() == 0, (ended ? "" : "timed out after " + limit + "; ") + output);
    }

    private HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        String host = "127.0.0.1:" + stack.stack().apiPort();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        // Berth's own signer makes what the original's clients make for an ISO date in UTC
        RequestSigner.headers(keypair.accessKey(), keypair.secretKey(), method, path, host, "application/json", Instant.now())
                .forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
