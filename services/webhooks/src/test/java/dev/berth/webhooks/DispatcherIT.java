package dev.berth.webhooks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.api.webhook.UrlPolicy;
import dev.berth.common.BerthConfig;
import dev.berth.common.HealthRegistry;
import dev.berth.common.KafkaClients;
import dev.berth.identity.Migrations;
import dev.berth.identity.PgSettings;
import dev.berth.identity.TestDatabases;
import dev.berth.kafka.EmbeddedKafka;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.TopicBootstrapper;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionType;
import dev.berth.schema.avro.WebhookDeadLetter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher on a real broker, the real PostgreSQL and a real HTTP receiver: who gets what, in
 * which order, signed how; what a failing, a hanging and a dead receiver do to the others; what a
 * restart and a replay from the start send again (nothing already delivered).
 */
class DispatcherIT {

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String INSTALLATION_SECRET = "installation-secret";
    private static final int PARTITIONS = 2;

    private static EmbeddedKafka kafka;
    private static Vertx vertx;
    private static TestReceiver receiver;
    private static KafkaProducer<String, byte[]> writer;
    private static Path stateDir;

    private final List<AutoCloseable> running = new ArrayList<>();
    private PgSettings pg;
    private Topics topics;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.startTemporary();
        vertx = Vertx.vertx();
        receiver = new TestReceiver(vertx);
        writer = new KafkaProducer<>(KafkaClients.producer(kafka.bootstrapServers(), "dispatcher-it"), new StringSerializer(), new ByteArraySerializer());
        stateDir = Files.createTempDirectory("webhooks-it");
    }

    @AfterAll
    static void stop() throws Exception {
        if (writer != null) writer.close();
        if (receiver != null) receiver.close();
        if (vertx != null) TestDatabases.await(vertx.close());
        if (kafka != null) kafka.close();
    }

    /** Each test has its own topics and schema, so that no worker of another test claims its rows. */
    private void freshStack() throws Exception {
        topics = Topics.withPrefix("t" + UUID.randomUUID() + ".", PARTITIONS);
        try (Admin admin = Admin.create(KafkaClients.admin(kafka.bootstrapServers()))) {
            TopicBootstrapper.ensure(admin, topics, (short) 1);
        }
        pg = TestDatabases.freshSchema();
        Migrations.migrate(pg);
    }

    @AfterEach
    void stopRunning() throws Exception {
        for (AutoCloseable part : running.reversed()) part.close();
        running.clear();
        if (pg != null) TestDatabases.drop(pg);
    }

    private record Run(Webhooks webhooks, PrometheusMeterRegistry metrics, HealthRegistry health) {}

    private Run dispatcher(WebhookSettings settings, String group) {
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        HealthRegistry health = new HealthRegistry(Duration.ofSeconds(2));
        Webhooks webhooks = Webhooks.start(vertx, new BerthConfig(kafka.bootstrapServers(), topics.prefix(), PARTITIONS, stateDir),
                pg, settings, metrics, health, group, Clock.systemUTC());
        running.add(webhooks);
        return new Run(webhooks, metrics, health);
    }

    private static WebhookSettings settings(Duration timeout, int attempts) {
        return new WebhookSettings(timeout, attempts, Duration.ofMillis(100), Duration.ofMillis(400), 2, Duration.ofMillis(100),
                Optional.of(INSTALLATION_SECRET), new UrlPolicy(true, UrlPolicy.rules(UrlPolicy.DEFAULT_DENY)));
    }

    @Test
    @DisplayName("HOOK invariant 5: per receiver every session's events arrive once and in order, signed; a flaky receiver gets them in order"
            + " through its retries, a hanging one holds up only itself, a dead one's end dead-lettered")
    void orderCountAndIsolation() throws Exception {
        freshStack();
        String project = "p-" + UUID.randomUUID();
        String user = UUID.randomUUID().toString();
        String ok = "ok-" + UUID.randomUUID();
        String flaky = "flaky-" + UUID.randomUUID();
        String hang = "hang-" + UUID.randomUUID();
        String down = "down-" + UUID.randomUUID();
        String callback = "cb-" + UUID.randomUUID();
        subscribe("project", project, List.of(), receiver.url("ok", ok, "secret-ok"), "secret-ok");
        subscribe("project", project, List.of(), receiver.url("flaky", flaky, "secret-flaky"), "secret-flaky");
        subscribe("user", user, List.of("started"), receiver.url("hang", hang, "secret-hang"), "secret-hang");
        UUID downId = subscribe("project", project, List.of(), receiver.url("down", down, "secret-down"), "secret-down");
        subscribe("project", "another-project", List.of(), receiver.url("ok", "elsewhere", "x"), "x");
        List<String> sessions = IntStream.range(0, 4).mapToObj(i -> UUID.randomUUID().toString()).toList();
        String callbackUrl = receiver.url("ok", callback, INSTALLATION_SECRET);
        // a timeout far beyond the test: the hanging receiver holds its requests until it is released
        Run run = dispatcher(settings(Duration.ofSeconds(60), 3), "g-" + UUID.randomUUID());

        // when: the sessions' lives interleave on the topic
        List<List<SessionEvent>> lives = sessions.stream()
                .map(id -> new Events(id, project, user, callbackUrl, SessionType.INTERACTIVE).life()).toList();
        for (int version = 0; version < Events.LIFE.size(); version++) {
            for (List<SessionEvent> life : lives) write(life.get(version));
        }

        // then: the good, the callback and the flaky receivers get every session's whole life, in order, while the hanging one holds two
        await().atMost(DEADLINE).untilAsserted(() -> {
            for (String session : sessions) {
                assertEquals(Events.LIFE, receiver.delivered(ok, session), ok);
                assertEquals(Events.LIFE, receiver.delivered(callback, session), callback);
                assertEquals(Events.LIFE, receiver.delivered(flaky, session), flaky);
            }
        });
        await().atMost(DEADLINE).until(() -> receiver.hits(hang).size() == 2);
        assertTrue(receiver.hits(hang).stream().noneMatch(TestReceiver.Hit::delivered));
        assertEquals(2, Set.copyOf(receiver.hits(hang).stream().map(TestReceiver.Hit::sessionId).toList()).size());
        assertEquals("4 pending", query("SELECT count(*) || ' ' || min(status) FROM webhook_deliveries WHERE receiver LIKE 'subscription:%' AND url LIKE '%/hang/%'"));
        assertEquals(24, receiver.hits(ok).size(), "each event exactly once");
        assertEquals(24, receiver.hits(callback).size(), "each event exactly once");
        assertEquals(0, receiver.hits("elsewhere").size());
        for (String session : sessions) assertTriedInOrder(receiver.hits(flaky), session, 3);

        // a dead receiver: every event tried three times, in order, each dead-lettered before the next is sent
        await().atMost(DEADLINE).until(() -> query("SELECT count(*) FROM webhook_deliveries WHERE subscription_id = '" + downId
                + "' AND status = 'failed' AND attempts = 3 AND last_error = 'HTTP 503'").equals("24"));
        for (String session : sessions) assertTriedInOrder(receiver.hits(down), session, 3);
        List<WebhookDeadLetter> dead = await().atMost(DEADLINE).until(this::deadLetters, letters -> letters.size() == 24);
        assertTrue(dead.stream().allMatch(letter -> letter.getSubscriptionId().equals(downId.toString()) && letter.getReason().equals("HTTP 503")
                && letter.getAttempts() == 3), dead.toString());
        assertEquals(Set.copyOf(sessions), Set.copyOf(dead.stream().map(WebhookDeadLetter::getSessionId).toList()));

        // the hanging receiver, released, gets its events too
        receiver.release(hang);
        await().atMost(DEADLINE).untilAsserted(() -> {
            for (String session : sessions) assertEquals(List.of("started"), receiver.delivered(hang, session));
        });
        assertEquals(List.of(), receiver.badSignatures(), "every delivery carries a signature made with its receiver's secret");
        assertTrue(receiver.hits(ok).stream().allMatch(hit -> hit.eventId() != null && hit.deliveryId() != null));

        assertEquals(4, receiver.hits(hang).size(), "the hanging receiver never held more than its concurrency allows, and got each event once");

        // and the dispatcher says so on its health and metrics
        assertTrue(run.health().runAll().join().get("webhooks").up());
        String scrape = run.metrics().scrape();
        assertTrue(scrape.contains("berth_webhook_deliveries_total{outcome=\"failed\",receiver=\"subscription:" + downId + "\"} 24.0"), scrape);
        assertTrue(scrape.contains("berth_webhook_queued_total 100.0"), scrape);
    }

    @Test
    @DisplayName("HOOK a receiver that never answers times out on every try and ends dead-lettered with the reason; a session's next event follows")
    void timeout() throws Exception {
        freshStack();
        String project = "p-" + UUID.randomUUID();
        String hang = "slow-" + UUID.randomUUID();
        UUID id = subscribe("project", project, List.of("enqueued", "scheduled"), receiver.url("hang", hang, "secret-slow"), "secret-slow");
        String session = UUID.randomUUID().toString();
        dispatcher(settings(Duration.ofMillis(300), 2), "g-" + UUID.randomUUID());

        for (SessionEvent event : new Events(session, project, "", null, SessionType.BATCH).life()) write(event);

        await().atMost(DEADLINE).until(() -> query("SELECT string_agg(event || ' ' || status || ' ' || attempts || ' ' || last_error, ', ' ORDER BY version)"
                        + " FROM webhook_deliveries WHERE subscription_id = '" + id + "'"),
                "enqueued failed 2 no answer within 300 ms, scheduled failed 2 no answer within 300 ms"::equals);
        assertEquals(List.of("enqueued", "enqueued", "scheduled", "scheduled"), receiver.hits(hang).stream().map(TestReceiver.Hit::event).toList());
        await().atMost(DEADLINE).until(this::deadLetters, letters -> letters.size() == 2
                && letters.get(0).getReason().equals("no answer within 300 ms") && letters.get(0).getEvent().equals("enqueued"));
    }

    @Test
    @DisplayName("HOOK a restart mid-stream delivers everything at least once and nothing already delivered again; a replay from the start queues nothing")
    void restart() throws Exception {
        freshStack();
        String project = "p-" + UUID.randomUUID();
        String ok = "ok-" + UUID.randomUUID();
        subscribe("project", project, List.of(), receiver.url("ok", ok, "secret-restart"), "secret-restart");
        List<String> sessions = IntStream.range(0, 3).mapToObj(i -> UUID.randomUUID().toString()).toList();
        List<List<SessionEvent>> lives = sessions.stream().map(id -> new Events(id, project, "", null, SessionType.INTERACTIVE).life()).toList();
        String group = "g-" + UUID.randomUUID();
        Run first = dispatcher(settings(Duration.ofSeconds(5), 3), group);

        // given: the first half of each life delivered, then the dispatcher stops
        for (int version = 0; version < 3; version++) for (List<SessionEvent> life : lives) write(life.get(version));
        await().atMost(DEADLINE).untilAsserted(() -> {
            for (String session : sessions) assertEquals(Events.LIFE.subList(0, 3), receiver.delivered(ok, session));
        });
        first.webhooks().close();
        running.remove(first.webhooks());

        // when: the rest arrives while it is down, and it starts again in the same group
        for (int version = 3; version < 6; version++) for (List<SessionEvent> life : lives) write(life.get(version));
        dispatcher(settings(Duration.ofSeconds(5), 3), group);

        // then: every event once, in order
        await().atMost(DEADLINE).untilAsserted(() -> {
            for (String session : sessions) assertEquals(Events.LIFE, receiver.delivered(ok, session));
        });
        List<TestReceiver.Hit> hits = receiver.hits(ok);
        assertEquals(18, hits.size());
        assertEquals(18, new HashSet<>(hits.stream().map(TestReceiver.Hit::deliveryId).toList()).size());

        // and a dispatcher that reads the whole topic again, in a new group, finds every delivery queued already
        String replay = "replay-" + UUID.randomUUID();
        Run again = dispatcher(settings(Duration.ofSeconds(5), 3), replay);
        await().atMost(DEADLINE).until(() -> caughtUp(replay));
        assertTrue(again.metrics().scrape().contains("berth_webhook_queued_total 0.0"), again.metrics().scrape());
        assertEquals("18 delivered", query("SELECT count(*) || ' ' || min(status) FROM webhook_deliveries"));
        assertEquals(18, receiver.hits(ok).size());
    }

    /**
     * Each session's tries in arrival order: every try is of the first event not yet delivered,
     * and each event is tried {@code tries} times before the next is sent.
     */
    private static void assertTriedInOrder(List<TestReceiver.Hit> hits, String session, int tries) {
        List<String> expected = new ArrayList<>();
        for (String event : Events.LIFE) for (int i = 0; i < tries; i++) expected.add(event);
        assertEquals(expected, hits.stream().filter(hit -> hit.sessionId().equals(session)).map(TestReceiver.Hit::event).toList(), session);
    }

    private UUID subscribe(String scope, String scopeId, List<String> events, String url, String secret) throws Exception {
        UUID id = UUID.randomUUID();
        try (Connection conn = TestDatabases.jdbc(pg); PreparedStatement insert = conn.prepareStatement("""
                INSERT INTO webhook_subscriptions (id, scope, scope_id, domain_name, owner_access_key, owner_user_id, event_types, url, secret)
                VALUES (?, ?, ?, 'default', 'AKIAOWNER', 'owner', ?, ?, ?)""")) {
            insert.setObject(1, id);
            insert.setString(2, scope);
            insert.setString(3, scopeId);
            insert.setArray(4, conn.createArrayOf("text", events.toArray()));
            insert.setString(5, url);
            insert.setString(6, secret);
            insert.executeUpdate();
        }
        return id;
    }

    private void write(SessionEvent event) throws Exception {
        writer.send(new ProducerRecord<>(topics.sessionEvents.name(), event.getSessionId(),
                BerthSerdes.SESSION_EVENT.serialize(topics.sessionEvents.name(), event))).get();
    }

    private List<WebhookDeadLetter> deadLetters() {
        TopicPartition partition = new TopicPartition(topics.webhookDeadLetters.name(), 0);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaClients.consumer(kafka.bootstrapServers(), null, "dead-letter-reader"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            List<WebhookDeadLetter> letters = new ArrayList<>();
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    letters.add(BerthSerdes.WEBHOOK_DEAD_LETTER.deserialize(record.topic(), record.value()));
                }
            }
            return letters;
        }
    }

    /** Whether the group has committed the end of every session.events partition: all it read is written. */
    private boolean caughtUp(String group) throws Exception {
        try (Admin admin = Admin.create(KafkaClients.admin(kafka.bootstrapServers()))) {
            var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) latest.put(new TopicPartition(topics.sessionEvents.name(), p), OffsetSpec.latest());
            var ends = admin.listOffsets(latest).all().get();
            return ends.entrySet().stream().allMatch(end -> end.getValue().offset() == 0
                    || (committed.get(end.getKey()) != null && committed.get(end.getKey()).offset() == end.getValue().offset()));
        }
    }

    private String query(String sql) throws Exception {
        try (Connection conn = TestDatabases.jdbc(pg); Statement statement = conn.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? String.valueOf(rows.getString(1)) : "";
        }
    }
}
