package dev.berth.identity;

import static dev.berth.identity.TestDatabases.await;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.common.KafkaClients;
import dev.berth.kafka.EmbeddedKafka;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.TopicBootstrapper;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionStatus;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** session.events into the sessions table, on a real broker and the real PostgreSQL. */
class SessionProjectorIT {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    /** Loading BerthSerdes makes Avro trust Berth's generated classes. */
    private static final Object AVRO_TRUST = BerthSerdes.KEY;
    private static EmbeddedKafka kafka;
    private static Topics topics;
    private static PgSettings pg;
    private static Vertx vertx;
    private static Pool pool;
    private static KafkaProducer<String, byte[]> writer;
    private static SessionProjector projector;

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
        pool = pg.pool(vertx, 2);
        writer = new KafkaProducer<>(KafkaClients.producer(kafka.bootstrapServers(), "projector-it"), new StringSerializer(), new ByteArraySerializer());
        projector = new SessionProjector(kafka.bootstrapServers(), topics.sessionEvents.name(), "projector-it", pool);
        projector.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (projector != null) projector.close();
        if (writer != null) writer.close();
        if (pool != null) await(pool.close());
        if (vertx != null) await(vertx.close());
        if (kafka != null) kafka.close();
        if (pg != null) TestDatabases.drop(pg);
    }

    @Test
    @DisplayName("SES-23 each session's newest version lands in the read model; an older one, bad bytes and a non-UUID id change nothing")
    void projects() throws Exception {
        String id = UUID.randomUUID().toString();
        String dependent = UUID.randomUUID().toString();
        write(id, session(id, SessionStatus.RUNNING, 3, List.of()));
        write(id, new byte[] {9, 9, 9});
        write("not-a-uuid", session("not-a-uuid", SessionStatus.PENDING, 1, List.of()));
        write(id, session(id, SessionStatus.PREPARING, 2, List.of()));
        write(dependent, session(dependent, SessionStatus.PENDING, 1, List.of(id)));

        await().atMost(DEADLINE).until(() -> query("SELECT count(*) FROM sessions WHERE id = '" + dependent + "'").equals("1"));
        assertEquals("RUNNING 3 tenant-a proj-a", query("SELECT status || ' ' || version || ' ' || domain_name || ' ' || project_name FROM sessions WHERE id = '" + id + "'"));
        assertEquals(id, query("SELECT depends_on FROM session_dependencies WHERE session_id = '" + dependent + "'"));
        assertEquals("2", query("SELECT count(*) FROM sessions"));

        write(id, session(id, SessionStatus.TERMINATED, 4, List.of()));
        await().atMost(DEADLINE).until(() -> query("SELECT status FROM sessions WHERE id = '" + id + "'").equals("TERMINATED"));
        assertEquals("1", query("SELECT count(*) FROM sessions WHERE id = '" + id + "' AND terminated_at IS NOT NULL"));
    }

    private static byte[] session(String id, SessionStatus status, long version, List<String> dependencies) {
        Instant now = Instant.now();
        Session session = Session.newBuilder()
                .setSessionId(id)
                .setAccessKey("AKIAPROJECTOR")
                .setSpec(SessionSpec.newBuilder().setName("projected").setImage("python:3").setResources(Map.of("cpu", 1000L))
                        .setDomain("tenant-a").setProject("proj-a").setDependencies(dependencies).build())
                .setStatus(status)
                .setStatusHistory(Map.of(status.name(), now.toEpochMilli()))
                .setCreatedAt(now)
                .setTerminatedAt(status == SessionStatus.TERMINATED ? now : null)
                .setKernels(List.of())
                .setVersion(version)
                .build();
        SessionEvent event = SessionEvent.newBuilder().setSessionId(id).setAt(now).setKind(SessionEventKind.ENQUEUED).setSession(session).build();
        return BerthSerdes.SESSION_EVENT.serialize(topics.sessionEvents.name(), event);
    }

    private static void write(String key, byte[] value) throws Exception {
        writer.send(new ProducerRecord<>(topics.sessionEvents.name(), key, value)).get();
    }

    private static String query(String sql) throws Exception {
        try (Connection conn = TestDatabases.jdbc(pg); Statement statement = conn.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getString(1) : "";
        }
    }
}
