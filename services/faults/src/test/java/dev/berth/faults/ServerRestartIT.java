package dev.berth.faults;

import static dev.berth.faults.SignedClient.body;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.identity.HistoryRetention;
import dev.berth.identity.KeypairFile;
import dev.berth.identity.Keys;
import dev.berth.identity.Leadership;
import dev.berth.kafka.EmbeddedKafka;
import dev.berth.launcher.BerthMain;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionStatus;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The whole stack ({@code berth up}, as a child process) on PostgreSQL, Redis and etcd of the
 * test's own, each of which is stopped and started again while creates flow. During an outage a
 * request the server is needed for gets a 503 problem, promptly, never a 500 or a hang, and
 * /v1/health names the server that is down; after it, health is UP again within a deadline and
 * creates are accepted. Nothing accepted is lost: every session answered 201 ends, on
 * session.events and in the PostgreSQL read model.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerRestartIT {

    private static final Duration READY = Duration.ofSeconds(120);
    /** The stack's tables: the default database and schema, on the test's own PostgreSQL. */
    private static final String STACK_DATABASE = "berth";
    private static final String STACK_SCHEMA = "public";
    /** Health checks run every few seconds and clients reconnect with backoff: a minute is plenty. */
    private static final Duration RECOVERY = Duration.ofSeconds(60);
    private static final Duration OUTAGE_SEEN = Duration.ofSeconds(30);

    private final Path dir = Path.of("target", "faults", "restart-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
    private OwnServers servers;
    private EmbeddedKafka kafka;
    private ChildJvm stack;
    private SignedClient api;
    private Keys.Keypair admin;

    @BeforeAll
    void start() throws Exception {
        servers = OwnServers.start(dir.resolve("servers"));
        kafka = EmbeddedKafka.startTemporary();
        int apiPort = ChildJvm.freePort();
        Map<String, String> env = new HashMap<>(servers.serviceEnv());
        env.putAll(Map.of("BERTH_KAFKA_BOOTSTRAP", kafka.bootstrapServers(), "BERTH_STATE_DIR", dir.resolve("stack").toString(),
                "BERTH_API_PORT", Integer.toString(apiPort), "BERTH_AGENT_RUNTIME", "simulated", "BERTH_AGENT_CPU", "8",
                "BERTH_AGENT_MEM", "8g", "BERTH_AGENT_HEARTBEAT", "1s", "BERTH_AGENT_SIMULATED_RUN", "2s", "BERTH_AGENT_ID", "restart-agent"));
        stack = ChildJvm.start("stack", BerthMain.class, env, dir);
        stack.awaitHealthy(URI.create("http://127.0.0.1:" + apiPort + "/v1/health"), READY);
        api = new SignedClient(apiPort);
        admin = KeypairFile.read(KeypairFile.in(dir.resolve("stack"))).orElseThrow();
    }

    @AfterAll
    void stop() throws Exception {
        if (stack != null) stack.close();
        if (kafka != null) kafka.close();
        if (servers != null) servers.close();
    }

    @Test
    @DisplayName("PostgreSQL, Redis and etcd restarted under load: 503 while away, UP again after, nothing accepted lost")
    void restartsUnderLoad() throws Exception {
        List<String> accepted;
        try (SteadyCreates creates = new SteadyCreates(api, admin, Duration.ofMillis(250), 600, Duration.ofMinutes(3))) {
            for (String server : List.of("pg", "redis", "etcd")) {
                awaitAccepted(creates, creates.accepted().size() + 5);
                servers.stop(server);
                awaitHealthDown(check(server));
                if (server.equals("etcd")) {
                    // no request needs etcd: creates go on, while the retention leader's 10 s lease runs out
                    awaitAccepted(creates, creates.accepted().size() + 50);
                } else {
                    awaitRefused();
                    int refused = creates.unavailable();
                    await().atMost(OUTAGE_SEEN).until(() -> creates.unavailable() >= refused + 8);
                }
                servers.start(server);
                await().atMost(RECOVERY).pollInterval(Duration.ofMillis(500))
                        .until(() -> api.health(), health -> health != null && "UP".equals(health.path("status").asText()));
                awaitAccepted(creates, creates.accepted().size() + 5);
                worksAgain(creates.accepted().getLast());
            }
            creates.close();
            assertEquals(List.of(), creates.wrong(), "every answer is a 201 or a clear 503");
            assertTrue(creates.unavailable() > 0, "some creates met an outage");
            accepted = creates.accepted();
        }
        awaitLeader();

        Set<SessionStatus> running = Set.of(SessionStatus.RUNNING);
        await().atMost(RECOVERY).pollInterval(Duration.ofSeconds(1))
                .until(() -> Invariants.settledOnce(accepted, events(), running).isEmpty());
        List<SessionEvent> events = events();
        assertEquals(List.of(), Invariants.settledOnce(accepted, events, running), "invariant 3: every accepted session ends once");
        assertEquals(List.of(), Invariants.inOrder(events), "invariant 5");
        await().atMost(RECOVERY).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Map<String, String> model = readModel();
            List<String> missing = accepted.stream().filter(id -> !"TERMINATED".equals(model.get(id))).toList();
            assertEquals(List.of(), missing, "accepted sessions not TERMINATED in the read model");
        });
    }

    /** Each client of the servers answers again: the keypair and usage reads (PostgreSQL), a session's logs and idle checks (Redis). */
    private void worksAgain(String sessionId) throws Exception {
        for (String path : List.of("/v1/usage", "/v1/sessions/" + sessionId + "/logs", "/v1/sessions/" + sessionId + "/idle-checks",
                "/v1/admin/resource-policies")) {
            await().atMost(RECOVERY).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                SignedClient.Answer answer = api.send(admin, "GET", path, null);
                // a 503 may come while a client reconnects; anything else is wrong at once
                if (answer.status() != 200 && answer.status() != 503) throw new IllegalStateException(path + ": " + answer);
                assertEquals(200, answer.status(), path + ": " + answer);
            });
        }
    }

    /** The name /v1/health gives each server's check. */
    private static String check(String server) {
        return server.equals("pg") ? "postgres" : server;
    }

    private void awaitAccepted(SteadyCreates creates, int count) {
        await().atMost(RECOVERY).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertEquals(List.of(), creates.wrong(), "every answer is a 201 or a clear 503");
            return creates.accepted().size() >= count;
        });
    }

    private void awaitHealthDown(String check) {
        await().atMost(OUTAGE_SEEN).pollInterval(Duration.ofMillis(250)).until(() -> {
            JsonNode health = api.health();
            return health != null && !health.path("checks").path(check).path("up").asBoolean(true);
        });
    }

    /** A create while the server is away is refused with a 503 problem; anything but a 201 on the way fails. */
    private void awaitRefused() throws Exception {
        long deadline = System.nanoTime() + OUTAGE_SEEN.toNanos();
        ObjectNode probe = body().put("name", "probe-" + UUID.randomUUID().toString().substring(0, 8)).put("image", "busybox");
        probe.set("resources", body().put("cpu", 0.25).put("mem", "32m"));
        while (System.nanoTime() < deadline) {
            SignedClient.Answer answer = api.send(admin, "POST", "/v1/sessions", probe);
            if (answer.status() == 503) {
                assertEquals("https://api.backend.ai/probs/service-unavailable", answer.body().path("type").asText(), answer.toString());
                return;
            }
            if (answer.status() != 201) fail("a create during the outage got " + answer);
            // a probe that got through was accepted: delete it, so that only the steady creates run
            api.send(admin, "DELETE", "/v1/sessions/" + answer.body().path("sessionId").asText() + "?forced=true", null);
        }
        fail("no create was refused within " + OUTAGE_SEEN);
    }

    /** The history retention election has a leader again: on the test's own etcd the stack's API is the only candidate. */
    private void awaitLeader() {
        try (Client etcd = Leadership.client("http://127.0.0.1:" + servers.port("BERTH_ETCD_PORT"))) {
            ByteSequence election = ByteSequence.from(Leadership.electionFor(HistoryRetention.ELECTION, STACK_DATABASE, STACK_SCHEMA), StandardCharsets.UTF_8);
            await().atMost(RECOVERY).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() ->
                    !etcd.getElectionClient().leader(election).get(5, TimeUnit.SECONDS).getKv().getValue().isEmpty());
        }
    }

    private List<SessionEvent> events() {
        return TopicHistory.read(kafka.bootstrapServers(), Topics.withPrefix("").sessionEvents.name(), BerthSerdes.SESSION_EVENT);
    }

    /** Session id to status, as the API's projector wrote them to PostgreSQL. */
    private Map<String, String> readModel() throws Exception {
        Map<String, String> model = new HashMap<>();
        try (Connection conn = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + servers.port("BERTH_PG_PORT") + "/" + STACK_DATABASE, "postgres", "");
             Statement statement = conn.createStatement();
             ResultSet rows = statement.executeQuery("SELECT id::text, status FROM sessions")) {
            while (rows.next()) model.put(rows.getString(1), rows.getString(2));
        }
        return model;
    }
}
