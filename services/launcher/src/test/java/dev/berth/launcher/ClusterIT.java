package dev.berth.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.cluster.TestEtcd;
import dev.berth.identity.KeypairFile;
import dev.berth.identity.Keys;
import dev.berth.identity.PgSettings;
import dev.berth.identity.RequestSigner;
import dev.berth.identity.TestDatabases;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code berth up --instances 2} as {@link Cluster} starts it: one broker here and two instances as
 * child processes, used as if behind a load balancer without sticky sessions, any request to either.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterIT {

    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path stateDir;
    private final PgSettings pg = TestDatabases.freshSchema();
    private final HttpClient http = HttpClient.newHttpClient();
    private Cluster cluster;
    private Keys.Keypair keypair;
    private int portA;
    private int portB;

    @BeforeAll
    void start() throws Exception {
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.putAll(Map.of(
                "BERTH_STATE_DIR", stateDir.toString(),
                "BERTH_PG_SCHEMA", pg.schema(),
                "BERTH_KAFKA_PORT", "0",
                "BERTH_KAFKA_CONTROLLER_PORT", "0",
                "BERTH_API_PORT", "0",
                "BERTH_INSTANCE_ID", "it",
                "BERTH_AGENT_ID", "it-agent",
                "BERTH_AGENT_RUNTIME", "process",
                "BERTH_AGENT_CPU", "2",
                "BERTH_AGENT_MEM", "2g"));
        environment.put("BERTH_AGENT_HEARTBEAT", "500ms");
        // its settings seed a configuration of its own, not the one other stacks on this etcd read
        environment.put("BERTH_CONFIG_PREFIX", TestEtcd.freshPrefix());
        cluster = Cluster.start(environment, 2, step -> {});
        portA = cluster.members().get(0).apiPort();
        portB = cluster.members().get(1).apiPort();
        keypair = KeypairFile.read(KeypairFile.in(stateDir)).orElseThrow();
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) cluster.close();
        TestDatabases.drop(pg);
    }

    @Test
    @DisplayName("EVT-07 two instances, each a process with its own node id, state directory, API port and agent; every agent is seen from either API")
    void twoInstances() throws Exception {
        List<Cluster.Member> members = cluster.members();
        assertEquals(List.of("it-1", "it-2"), members.stream().map(Cluster.Member::instanceId).toList());
        assertNotEquals(portA, portB);
        assertNotEquals(members.get(0).process().pid(), members.get(1).process().pid());
        assertTrue(Files.isDirectory(stateDir.resolve("instances/1/streams")) && Files.isDirectory(stateDir.resolve("instances/2/streams")),
                "each instance keeps its stream stores in its own directory");
        assertEquals(keypair, KeypairFile.read(KeypairFile.in(stateDir.resolve("instances/2"))).orElseThrow(), "one superadmin for the cluster");
        for (int port : new int[] {portA, portB}) {
            await().atMost(DEADLINE).untilAsserted(() -> {
                JsonNode agents = get(port, "/v1/admin/agents");
                Set<String> ids = new TreeSet<>();
                agents.path("items").forEach(agent -> ids.add(agent.path("id").asText()));
                assertEquals(Set.of("it-agent-1", "it-agent-2"), ids, agents.toString());
            });
        }
    }

    @Test
    @DisplayName("a session created through A runs, is seen and destroyed through B, and A sees it end")
    void createOnADestroyOnB() throws Exception {
        String id = create(portA, "across");
        awaitStatus(portB, id, "RUNNING");
        HttpResponse<String> deleted = send(keypair, portB, "DELETE", "/v1/sessions/" + id, null);
        assertEquals(202, deleted.statusCode(), deleted.body());
        assertEquals("user-requested", awaitStatus(portA, id, "TERMINATED").path("statusInfo").asText());
    }

    @Test
    @DisplayName("an event stream read on A and resumed on B with Last-Event-ID goes on where it stopped: no event lost, none twice")
    void eventStreamResumesOnTheOtherInstance() throws Exception {
        AtomicReference<String> session = new AtomicReference<>();
        // an uninterrupted stream on B is what the resumed one must add up to
        CompletableFuture<List<Event>> whole = stream(portB, null, session, "TERMINATED");
        CompletableFuture<List<Event>> fromA = stream(portA, null, session, "STARTED");
        session.set(create(portA, "streamed"));
        // A's stream is read until the session started, then dropped
        List<Event> seenOnA = fromA.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);

        HttpResponse<String> deleted = send(keypair, portB, "DELETE", "/v1/sessions/" + session.get(), null);
        assertEquals(202, deleted.statusCode(), deleted.body());
        awaitStatus(portB, session.get(), "TERMINATED");
        List<Event> seenOnB = stream(portB, seenOnA.getLast().streamId(), session, "TERMINATED").get(DEADLINE.toSeconds(), TimeUnit.SECONDS);

        List<String> resumed = new ArrayList<>();
        for (Event event : seenOnA) resumed.add(event.eventId() + " " + event.kind());
        for (Event event : seenOnB) resumed.add(event.eventId() + " " + event.kind());
        List<String> expected = new ArrayList<>();
        for (Event event : whole.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)) expected.add(event.eventId() + " " + event.kind());
        assertEquals(expected, resumed, "A's events, then B's from A's last id, are the uninterrupted stream's");
        assertTrue(seenOnB.stream().anyMatch(event -> event.kind().equals("TERMINATING")), "B sent what came after A's last: " + seenOnB);
    }

    @Test
    @DisplayName("AUTH-12 a keypair's rate limit is counted in Redis for the whole cluster: calls to A and B add up")
    void rateLimitIsShared() throws Exception {
        HttpResponse<String> user = send(keypair, portA, "POST", "/v1/admin/users", """
                {"email": "limited@example.org", "username": "limited", "domain": "default", "role": "user"}""");
        assertEquals(201, user.statusCode(), user.body());
        JsonNode pair = JSON.readTree(user.body()).path("keypair");
        Keys.Keypair limited = new Keys.Keypair(pair.path("accessKey").asText(), pair.path("secretKey").asText());
        HttpResponse<String> patched = send(keypair, portB, "PATCH", "/v1/admin/keypairs/" + limited.accessKey(), "{\"rateLimit\": 4}");
        assertEquals(200, patched.statusCode(), patched.body());

        for (int port : new int[] {portA, portB, portA, portB}) {
            HttpResponse<String> allowed = send(limited, port, "GET", "/v1/sessions", null);
            assertEquals(200, allowed.statusCode(), "port " + port + ": " + allowed.body());
        }
        for (int port : new int[] {portA, portB}) {
            HttpResponse<String> refused = send(limited, port, "GET", "/v1/sessions", null);
            assertEquals(429, refused.statusCode(), "port " + port + ": " + refused.body());
        }
    }

    /** One session event as a stream carries it: the stream's position after it, its place in session.events, its kind. */
    private record Event(String streamId, String eventId, String kind) {}

    /**
     * Opens an event stream of the default project (resuming after {@code lastEventId} if given) and,
     * in the background, collects the events of the session {@code session} names until one of
     * {@code lastKind}, then disconnects. Returns once the stream is open.
     */
    private CompletableFuture<List<Event>> stream(int port, String lastEventId, AtomicReference<String> session, String lastKind)
            throws Exception {
        String path = "/v1/events/sessions?project=default";
        HttpRequest.Builder request = signed(keypair, port, "GET", path, null);
        if (lastEventId != null) request.header("Last-Event-ID", lastEventId);
        HttpResponse<InputStream> response = http.send(request.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        CompletableFuture<List<Event>> events = new CompletableFuture<>();
        Thread.ofPlatform().daemon(true).name("sse-" + port).start(() -> {
            try (InputStream body = response.body()) {
                events.complete(readUntil(body, session, lastKind));
            } catch (Exception | AssertionError e) {
                events.completeExceptionally(e);
            }
        });
        return events;
    }

    private static List<Event> readUntil(InputStream body, AtomicReference<String> session, String lastKind) throws IOException {
        List<Event> events = new ArrayList<>();
        BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        String streamId = null;
        for (String line; (line = lines.readLine()) != null; ) {
            if (line.startsWith("id: ")) streamId = line.substring(4);
            if (!line.startsWith("data: ")) continue;
            JsonNode data = JSON.readTree(line.substring(6));
            // events of sessions of earlier tests may still come; this test's session is known once it is created
            if (!data.path("session").path("sessionId").asText().equals(session.get())) continue;
            Event event = new Event(streamId, data.path("eventId").asText(), data.path("kind").asText());
            events.add(event);
            if (event.kind().equals(lastKind)) return events;
        }
        throw new IllegalStateException("the stream ended after " + events);
    }

    private String create(int port, String name) throws Exception {
        HttpResponse<String> created = send(keypair, port, "POST", "/v1/sessions",
                "{\"name\": \"" + name + "\", \"image\": \"python:3\", \"resources\": {\"cpu\": 0.5, \"mem\": \"64m\"}}");
        assertEquals(201, created.statusCode(), created.body());
        return JSON.readTree(created.body()).path("sessionId").asText();
    }

    private JsonNode awaitStatus(int port, String id, String status) {
        return await().atMost(DEADLINE).pollInterval(Duration.ofMillis(200))
                .until(() -> get(port, "/v1/sessions/" + id), session -> status.equals(session.path("status").asText()));
    }

    private JsonNode get(int port, String path) throws IOException, InterruptedException {
        return JSON.readTree(send(keypair, port, "GET", path, null).body());
    }

    private HttpRequest.Builder signed(Keys.Keypair as, int port, String method, String path, String body) {
        String host = "127.0.0.1:" + port;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host + path));
        RequestSigner.headers(as.accessKey(), as.secretKey(), method, path, host, body == null ? null : "application/json", Instant.now())
                .forEach(request::header);
        return request;
    }

    private HttpResponse<String> send(Keys.Keypair as, int port, String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = signed(as, port, method, path, body).timeout(Duration.ofSeconds(15));
        if (body == null) request.method(method, HttpRequest.BodyPublishers.noBody());
        else request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
