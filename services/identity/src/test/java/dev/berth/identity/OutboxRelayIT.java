package dev.berth.identity;

import static dev.berth.identity.TestDatabases.await;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.berth.common.KafkaClients;
import dev.berth.kafka.EmbeddedKafka;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.TopicBootstrapper;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.KeypairConfig;
import dev.berth.schema.avro.ResourceLimits;
import dev.berth.schema.avro.ScalingGroupConfig;
import dev.berth.schema.avro.SessionType;
import dev.berth.schema.avro.UnspecifiedSlots;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox relay between the real PostgreSQL and a real (embedded) broker. */
class OutboxRelayIT {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static EmbeddedKafka kafka;
    private static Topics topics;
    private static PgSettings pg;
    private static Vertx vertx;
    private static Pool pool;
    private static Producer<String, byte[]> producer;
    @TempDir static Path stateDir;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.startTemporary();
        topics = Topics.withPrefix("t" + UUID.randomUUID() + ".", 1);
        try (Admin admin = Admin.create(KafkaClients.admin(kafka.bootstrapServers()))) {
            TopicBootstrapper.ensure(admin, topics, (short) 1);
        }
        pg = TestDatabases.freshSchema();
        Migrations.migrate(pg);
        vertx = Vertx.vertx();
        pool = pg.pool(vertx, 4);
        producer = OutboxRelay.createProducer(kafka.bootstrapServers());
        await(Bootstrap.run(vertx, pool, stateDir));
    }

    @AfterAll
    static void stop() throws Exception {
        if (producer != null) producer.close();
        if (pool != null) await(pool.close());
        if (vertx != null) await(vertx.close());
        if (kafka != null) kafka.close();
        if (pg != null) TestDatabases.drop(pg);
    }

    @Test
    @DisplayName("bootstrap's defaults and a later change reach the compacted topics; the newest version is last")
    void changesArrive() throws Exception {
        OutboxRelay relay = new OutboxRelay(vertx, pool, producer, topics, Duration.ofMillis(100));
        relay.start();
        try {
            Map<String, ScalingGroupConfig> groups = new HashMap<>();
            await().atMost(DEADLINE).until(() -> {
                read(topics.configScalingGroups.name()).forEach((key, value) -> groups.put(key, decodeGroup(value)));
                return groups.containsKey("default");
            });
            assertEquals(List.of(SessionType.INTERACTIVE, SessionType.BATCH, SessionType.INFERENCE), groups.get("default").getAllowedSessionTypes());
            Map<String, byte[]> limits = read(topics.configLimits.name());
            ResourceLimits policy = BerthSerdes.RESOURCE_LIMITS.deserialize("", limits.get("keypair-policy:default"));
            assertEquals(UnspecifiedSlots.UNLIMITED, policy.getDefaultForUnspecified());

            // an admin change: the policy gets a cpu limit, in one transaction with its outbox row
            await(pool.withTransaction(conn -> conn.preparedQuery(
                            "UPDATE keypair_resource_policies SET total_resource_slots = '{\"cpu\": 4000}', max_concurrent_sessions = 3 WHERE name = $1")
                    .execute(Tuple.of("default"))
                    .compose(done -> Outbox.record(conn, new ConfigChange.KeypairPolicy("default")))));
            relay.nudge();

            await().atMost(DEADLINE).untilAsserted(() -> {
                ResourceLimits latest = BerthSerdes.RESOURCE_LIMITS.deserialize("", read(topics.configLimits.name()).get("keypair-policy:default"));
                assertEquals(Map.of("cpu", 4000L), latest.getTotalResourceSlots());
                assertEquals(3, latest.getMaxConcurrentSessions());
            });
            await().atMost(DEADLINE).until(() -> unsent() == 0);
            assertEquals(true, relay.health().toCompletableFuture().get().up());
        } finally {
            relay.close();
        }
    }

    @Test
    @DisplayName("a change committed while no relay could publish (the API died) is published by the next relay; a deleted row is a tombstone")
    void crashBetweenCommitAndPublish() throws Exception {
        String accessKey = "AKIACRASH" + UUID.randomUUID().toString().replace("-", "").substring(0, 8).toUpperCase();
        // the change commits with its outbox row, but the relay that should publish it cannot reach Kafka
        await(pool.withTransaction(conn -> conn.preparedQuery("""
                        INSERT INTO keypairs (access_key, secret_key, user_id, resource_policy, rate_limit)
                        SELECT $1, 'secret', id, 'default', 77 FROM users WHERE email = $2""")
                .execute(Tuple.of(accessKey, Bootstrap.ADMIN_EMAIL))
                .compose(done -> Outbox.record(conn, new ConfigChange.Keypair(accessKey)))));
        try (Producer<String, byte[]> dead = deadProducer()) {
            OutboxRelay stranded = new OutboxRelay(vertx, pool, dead, topics, Duration.ofSeconds(60));
            org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> await(stranded.publishOnce()));
        }
        assertEquals(1, unsentFor(accessKey));
        // as if the API had been down for a minute: health says the outbox is stuck
        try (Connection conn = TestDatabases.jdbc(pg); Statement sql = conn.createStatement()) {
            sql.execute("UPDATE outbox SET created_at = now() - interval '1 minute' WHERE record_key = '" + accessKey + "'");
        }
        OutboxRelay observer = new OutboxRelay(vertx, pool, producer, topics, Duration.ofSeconds(60));
        assertEquals(false, observer.health().toCompletableFuture().get().up());

        OutboxRelay restarted = new OutboxRelay(vertx, pool, producer, topics, Duration.ofMillis(100));
        restarted.start();
        try {
            await().atMost(DEADLINE).untilAsserted(() -> {
                byte[] value = read(topics.configKeypairs.name()).get(accessKey);
                KeypairConfig keypair = BerthSerdes.KEYPAIR_CONFIG.deserialize("", value);
                assertEquals(77, keypair.getRateLimit());
            });
            assertEquals(0, unsentFor(accessKey));

            await(pool.withTransaction(conn -> conn.preparedQuery("DELETE FROM keypairs WHERE access_key = $1").execute(Tuple.of(accessKey))
                    .compose(done -> Outbox.record(conn, new ConfigChange.Keypair(accessKey)))));
            restarted.nudge();
            await().atMost(DEADLINE).untilAsserted(() -> {
                Map<String, byte[]> latest = read(topics.configKeypairs.name());
                assertEquals(true, latest.containsKey(accessKey));
                assertNull(latest.get(accessKey));
            });
        } finally {
            restarted.close();
        }
    }

    private static Producer<String, byte[]> deadProducer() {
        Map<String, Object> props = KafkaClients.producer("127.0.0.1:1", "dead");
        props.put("max.block.ms", 500);
        props.put("delivery.timeout.ms", 1000);
        props.put("request.timeout.ms", 500);
        return new org.apache.kafka.clients.producer.KafkaProducer<>(props,
                new org.apache.kafka.common.serialization.StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer());
    }

    private static ScalingGroupConfig decodeGroup(byte[] value) {
        return value == null ? null : BerthSerdes.SCALING_GROUP_CONFIG.deserialize("", value);
    }

    /** The latest value of every key on the topic, read from the beginning (null for a tombstone). */
    private static Map<String, byte[]> read(String topic) {
        Map<String, byte[]> latest = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaClients.consumer(kafka.bootstrapServers(), null, "relay-it"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> latest.put(record.key(), record.value()));
            }
        }
        return latest;
    }

    private static long unsent() throws Exception {
        return count("SELECT count(*) FROM outbox WHERE sent_at IS NULL");
    }

    private static long unsentFor(String key) throws Exception {
        return count("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND record_key = '" + key + "'");
    }

    private static long count(String query) throws Exception {
        try (Connection conn = TestDatabases.jdbc(pg); Statement sql = conn.createStatement(); ResultSet rows = sql.executeQuery(query)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
