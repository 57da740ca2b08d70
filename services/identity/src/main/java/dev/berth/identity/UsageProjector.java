package dev.berth.identity;

import dev.berth.schema.BerthSerdes;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.UsageRecord;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Projects {@code usage.hourly} and {@code usage.daily} into {@code usage_totals} so that SQL can
 * answer usage questions (per owner and month, reports). Each record carries the totals so far of
 * its (period, owner kind, owner, window start), so it simply replaces the row; within a batch only
 * the last record per key is written. Built like {@link SessionProjector}: one consumer thread, one
 * transaction per batch, retried while PostgreSQL is away, offsets committed after the write, and
 * records that do not decode (or that PostgreSQL could never store) skipped with a warning.
 */
public final class UsageProjector implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UsageProjector.class);
    private static final String UPSERT = """
            INSERT INTO usage_totals (period, owner_kind, owner, domain_name, window_start, window_end, allocated_slot_seconds,
                                      cpu_used_seconds, mem_peak_bytes, io_read_bytes, io_write_bytes, net_rx_bytes, net_tx_bytes,
                                      samples, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
            ON CONFLICT (period, owner_kind, owner, window_start) DO UPDATE SET domain_name = EXCLUDED.domain_name,
                window_end = EXCLUDED.window_end, allocated_slot_seconds = EXCLUDED.allocated_slot_seconds,
                cpu_used_seconds = EXCLUDED.cpu_used_seconds, mem_peak_bytes = EXCLUDED.mem_peak_bytes,
                io_read_bytes = EXCLUDED.io_read_bytes, io_write_bytes = EXCLUDED.io_write_bytes,
                net_rx_bytes = EXCLUDED.net_rx_bytes, net_tx_bytes = EXCLUDED.net_tx_bytes, samples = EXCLUDED.samples,
                updated_at = EXCLUDED.updated_at""";

    /** The primary key of usage_totals. */
    private record Key(String period, String ownerKind, String owner, Instant windowStart) {}

    private final TopicProjector projector;

    /** Consumes {@code topics.usageHourly} and {@code topics.usageDaily}. */
    public UsageProjector(String bootstrap, Topics topics, String groupId, Pool pool) {
        this(bootstrap, List.of(topics.usageHourly.name(), topics.usageDaily.name()), groupId, pool);
    }

    /** Consumes the given topics, whose values are {@link UsageRecord}s. */
    public UsageProjector(String bootstrap, List<String> topics, String groupId, Pool pool) {
        this.projector = new TopicProjector("berth-usage-projector", bootstrap, topics, groupId, pool, records -> {
            List<Tuple> rows = latestPerKey(records);
            return rows.isEmpty() ? null : new TopicProjector.Write(rows.size(), conn -> conn.preparedQuery(UPSERT).executeBatch(rows).mapEmpty());
        });
    }

    public void start() {
        projector.start();
    }

    /**
     * The last record per primary key in the batch, as rows. Records of one key share a topic and a
     * partition (the key is the owner and the topic the period), so poll order is their write order.
     */
    private static List<Tuple> latestPerKey(ConsumerRecords<String, byte[]> records) {
        Map<Key, UsageRecord> latest = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            UsageRecord usage = decode(record);
            if (usage == null) continue;
            Key key = new Key(lower(usage.getPeriod()), lower(usage.getOwnerKind()), usage.getOwner(), usage.getWindowStart());
            latest.put(key, usage); // the newest totals, at the key's first-seen place
        }
        List<Tuple> rows = new ArrayList<>(latest.size());
        latest.forEach((key, usage) -> rows.add(row(key, usage)));
        return rows;
    }

    private static UsageRecord decode(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) return null; // no tombstones on these topics; nothing to write
        try {
            UsageRecord usage = BerthSerdes.USAGE_RECORD.deserialize(record.topic(), record.value());
            if (usage == null) return null;
            String unstorable = unstorable(usage);
            if (unstorable != null) throw new IllegalArgumentException(unstorable);
            return usage;
        } catch (SerializationException | IllegalArgumentException e) {
            log.warn("usage projector skips {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
            return null;
        }
    }

    /**
     * Why PostgreSQL would refuse the record, or null. A refused row would fail its whole batch on
     * every retry, so such a record is skipped like one that does not decode.
     */
    private static String unstorable(UsageRecord usage) {
        if (usage.getOwner().isEmpty()) return "empty owner";
        if (usage.getOwner().indexOf('\0') >= 0 || usage.getDomain().indexOf('\0') >= 0) return "NUL character in owner or domain";
        for (Map.Entry<String, Double> slot : usage.getAllocatedSlotSeconds().entrySet()) {
            if (slot.getKey().indexOf('\0') >= 0) return "NUL character in a slot name";
            if (slot.getValue() == null || !Double.isFinite(slot.getValue())) return "allocated seconds of slot " + slot.getKey() + " is " + slot.getValue();
        }
        return null;
    }

    private static Tuple row(Key key, UsageRecord usage) {
        JsonObject allocated = new JsonObject();
        usage.getAllocatedSlotSeconds().forEach(allocated::put);
        return Tuple.from(Arrays.asList(
                key.period(), key.ownerKind(), key.owner(), usage.getDomain(), time(usage.getWindowStart()), time(usage.getWindowEnd()),
                allocated, usage.getCpuUsedSeconds(), usage.getMemPeakBytes(), usage.getIoReadBytes(), usage.getIoWriteBytes(),
                usage.getNetRxBytes(), usage.getNetTxBytes(), usage.getSamples(), time(usage.getUpdatedAt())));
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    private static OffsetDateTime time(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    @Override
    public void close() {
        projector.close();
    }
}
