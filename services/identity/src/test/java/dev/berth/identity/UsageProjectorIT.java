package dev.berth.identity;

import static dev.berth.identity.TestDatabases.await;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.common.KafkaClients;
import dev.berth.kafka.EmbeddedKafka;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.TopicBootstrapper;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.UsageOwnerKind;
import dev.berth.schema.avro.UsagePeriod;
import dev.berth.schema.avro.UsageRecord;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
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

/** usage.hourly and usage.daily into usage_totals, on a real broker and the real PostgreSQL. */
class UsageProjectorIT {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    /** Loading BerthSerdes makes Avro trust Berth's generated classes. */
    private static final Object AVRO_TRUST = BerthSerdes.KEY;
    private static final Instant HOUR = Instant.parse("2026-11-02T13:00:00Z");
    private static final Instant DAY = HOUR.truncatedTo(ChronoUnit.DAYS);
    private static EmbeddedKafka kafka;
    private static Topics topics;
    private static PgSettings pg;
    private static Vertx vertx;
    private static Pool pool;
    private static KafkaProducer<String, byte[]> writer;
    private static UsageProjector projector;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.startTemporary();
        topics = Topics.withPrefix("t" + UUID.randomUUID() + ".", 2);
        try (Admin admin = Admin.create(KafkaClients.admin(kafka.bootstrapServers()))) {
            TopicBootstrapper.ensure(admin, topics, (short) 1);
        }
        pg = TestDatabases.freshSchema();
        Migrations.migrate(pg);
        vertx = Vertx.vertx();
        pool = pg.pool(vertx, 2);
        writer = new KafkaProducer<>(KafkaClients.producer(kafka.bootstrapServers(), "usage-projector-it"), new StringSerializer(), new ByteArraySerializer());
        projector = new UsageProjector(kafka.bootstrapServers(), topics, "usage-projector-it", pool);
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
    @DisplayName("USG each (period, owner, window)'s newest totals land in usage_totals, lower-cased; bad bytes and unstorable totals are skipped")
    void projects() throws Exception {
        String session = UUID.randomUUID().toString();
        write(record(UsagePeriod.HOURLY, UsageOwnerKind.SESSION, session, HOUR, 1, Map.of("cpu", 1.0)));
        write(UsagePeriod.HOURLY, "session:" + session, new byte[] {9, 9, 9});
        write(record(UsagePeriod.HOURLY, UsageOwnerKind.SESSION, session, HOUR, 5, Map.of("cpu", 3600.0, "mem", 4096.0)));
        write(record(UsagePeriod.DAILY, UsageOwnerKind.PROJECT, "proj-a", DAY, 7, Map.of("cpu", 7200.0)));
        write(record(UsagePeriod.DAILY, UsageOwnerKind.PROJECT, "proj-b", DAY, 2, Map.of("cpu", Double.NaN))); // jsonb cannot hold NaN
        write(record(UsagePeriod.DAILY, UsageOwnerKind.USER, "user-a", DAY, 3, Map.of()));
        write(UsagePeriod.DAILY, "domain:tenant-a", new byte[0]);
        write(record(UsagePeriod.DAILY, UsageOwnerKind.DOMAIN, "tenant-a", DAY, 9, Map.of("cuda.shares", 0.5)));

        await().atMost(DEADLINE).until(() -> query("SELECT count(*) FROM usage_totals").equals("4")
                && query("SELECT samples FROM usage_totals WHERE owner = '" + session + "'").equals("5"));
        assertEquals("hourly session tenant-a 2026-11-02T13:00:00Z 2026-11-02T14:00:00Z 5 {\"cpu\": 3600.0, \"mem\": 4096.0}", query(row(session)));
        assertEquals("5 50 500 5000 50000 500000 2026-11-02T14:00:00Z", query("SELECT cpu_used_seconds || ' ' || mem_peak_bytes || ' ' || io_read_bytes "
                + "|| ' ' || io_write_bytes || ' ' || net_rx_bytes || ' ' || net_tx_bytes || ' ' || " + utc("updated_at")
                + " FROM usage_totals WHERE owner = '" + session + "'"));
        assertEquals("daily project tenant-a 2026-11-02T00:00:00Z 2026-11-03T00:00:00Z 7 {\"cpu\": 7200.0}", query(row("proj-a")));
        assertEquals("daily user tenant-a 2026-11-02T00:00:00Z 2026-11-03T00:00:00Z 3 {}", query(row("user-a")));
        assertEquals("daily domain tenant-a 2026-11-02T00:00:00Z 2026-11-03T00:00:00Z 9 {\"cuda.shares\": 0.5}", query(row("tenant-a")));
        assertEquals("0", query("SELECT count(*) FROM usage_totals WHERE owner = 'proj-b'"));

        // a later record of the same window replaces the row: it carries the totals so far
        write(record(UsagePeriod.HOURLY, UsageOwnerKind.SESSION, session, HOUR, 8, Map.of("cpu", 5400.0)));
        await().atMost(DEADLINE).until(() -> query("SELECT samples FROM usage_totals WHERE owner = '" + session + "'").equals("8"));
        assertEquals("{\"cpu\": 5400.0}", query("SELECT allocated_slot_seconds FROM usage_totals WHERE owner = '" + session + "'"));
        assertEquals("4", query("SELECT count(*) FROM usage_totals"));
    }

    /** Totals of one window; the counters are multiples of {@code samples} so each record's are told apart. */
    private static UsageRecord record(UsagePeriod period, UsageOwnerKind kind, String owner, Instant windowStart, long samples, Map<String, Double> slots) {
        Instant windowEnd = windowStart.plus(1, period == UsagePeriod.HOURLY ? ChronoUnit.HOURS : ChronoUnit.DAYS);
        return UsageRecord.newBuilder()
                .setOwnerKind(kind).setOwner(owner).setDomain("tenant-a").setPeriod(period)
                .setWindowStart(windowStart).setWindowEnd(windowEnd)
                .setAllocatedSlotSeconds(slots)
                .setCpuUsedSeconds(samples).setMemPeakBytes(samples * 10).setIoReadBytes(samples * 100).setIoWriteBytes(samples * 1000)
                .setNetRxBytes(samples * 10000).setNetTxBytes(samples * 100000).setSamples(samples)
                .setUpdatedAt(windowEnd)
                .build();
    }

    private static void write(UsageRecord record) throws Exception {
        String topic = topic(record.getPeriod());
        writer.send(new ProducerRecord<>(topic, record.getOwnerKind().name().toLowerCase(Locale.ROOT) + ":" + record.getOwner(),
                BerthSerdes.USAGE_RECORD.serialize(topic, record))).get();
    }

    private static void write(UsagePeriod period, String key, byte[] value) throws Exception {
        writer.send(new ProducerRecord<>(topic(period), key, value)).get();
    }

    private static String topic(UsagePeriod period) {
        return period == UsagePeriod.HOURLY ? topics.usageHourly.name() : topics.usageDaily.name();
    }

    private static String utc(String column) {
        return "to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
    }

    /** The row of {@code owner}, without the owner. */
    private static String row(String owner) {
        return "SELECT period || ' ' || owner_kind || ' ' || domain_name || ' ' || " + utc("window_start") + " || ' ' || "
                + utc("window_end") + " || ' ' || samples || ' ' || allocated_slot_seconds::text FROM usage_totals WHERE owner = '" + owner + "'";
    }

    private static String query(String sql) throws Exception {
        try (Connection conn = TestDatabases.jdbc(pg); Statement statement = conn.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getString(1) : "";
        }
    }
}
