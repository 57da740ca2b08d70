package dev.berth.topology.usage;

import static dev.berth.schema.BerthSerdes.KERNEL_STATS;
import static dev.berth.schema.BerthSerdes.KEY;
import static dev.berth.schema.BerthSerdes.SESSION_EVENT;
import static dev.berth.schema.BerthSerdes.USAGE_METER;
import static dev.berth.schema.BerthSerdes.USAGE_RECORD;

import dev.berth.schema.Topics;
import dev.berth.schema.avro.KernelStats;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.UsagePeriod;
import dev.berth.schema.avro.UsageRecord;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * Usage metering (SPEC USG), per session, user, project and domain, per hour and day.
 * <ul>
 *   <li>in: session.events (session id → SessionEvent), kernel.stats (session id → KernelStats)</li>
 *   <li>store: usage-meters (session id → UsageMeter: owners, allocation, last counted sample per kernel)</li>
 *   <li>repartition: usage-deltas (period|owner|window → UsageRecord, what one sample or end adds)</li>
 *   <li>store: usage-totals (period|owner|window → UsageRecord, the sums)</li>
 *   <li>out: usage.hourly and usage.daily (ownerKind:owner → UsageRecord, the window's totals so far);
 *       dead-letters (session id → the KernelStats that could not be counted, reason in headers)</li>
 * </ul>
 * Totals are exact under exactly-once processing: a sample is counted once, in the meter's task,
 * and its deltas are summed once.
 */
public final class UsageTopology {

    /** How long a session's meter is kept after its end, so that its late samples are told apart from unknown sessions. */
    public static final Duration KEEP_ENDED = Duration.ofDays(1);

    private UsageTopology() {}

    /** A topology of usage metering alone, reading its own sources; for tests and a standalone run. */
    public static Topology build(Topics topics, UsageObserver observer) {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, SessionEvent> events = builder.stream(topics.sessionEvents.name(),
                Consumed.with(KEY, SESSION_EVENT).withName("usage-session-events"));
        KStream<String, KernelStats> stats = builder.stream(topics.kernelStats.name(),
                Consumed.with(KEY, KERNEL_STATS).withName("usage-kernel-stats"));
        addTo(builder, events, stats, topics, observer);
        return builder.build();
    }

    /** Adds metering to an application that already reads session.events and kernel.stats. */
    public static void addTo(StreamsBuilder builder, KStream<String, SessionEvent> events, KStream<String, KernelStats> stats,
                             Topics topics, UsageObserver observer) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(UsageProcessor.STORE), KEY, USAGE_METER)
                .withCachingEnabled());

        var outputs = events
                .<SpecificRecord>mapValues(event -> event, Named.as("usage-as-event"))
                .merge(stats.mapValues(sample -> sample, Named.as("usage-as-stats")), Named.as("usage-merge-stats"))
                .process(() -> new UsageProcessor(KEEP_ENDED, observer), Named.as("usage-meter"), UsageProcessor.STORE)
                .split(Named.as("usage-out-"))
                .branch((key, out) -> out instanceof KernelStats, Branched.<String, SpecificRecord>withConsumer(rejected -> rejected
                        .mapValues(out -> (KernelStats) out, Named.as("usage-as-rejected"))
                        .to(topics.deadLetters.name(), Produced.with(KEY, KERNEL_STATS).withName("usage-dead-letters"))).withName("rejected"))
                .defaultBranch(Branched.as("deltas"));

        KStream<String, UsageRecord> totals = outputs.get("usage-out-deltas")
                .mapValues(out -> (UsageRecord) out, Named.as("usage-as-delta"))
                .repartition(Repartitioned.<String, UsageRecord>as("usage-deltas").withKeySerde(KEY).withValueSerde(USAGE_RECORD))
                .groupByKey(Grouped.with("usage-by-window", KEY, USAGE_RECORD))
                .aggregate(() -> null, (key, delta, total) -> Metering.add(total, delta), Named.as("usage-sum"),
                        Materialized.<String, UsageRecord>as(Stores.persistentKeyValueStore("usage-totals")).withKeySerde(KEY).withValueSerde(USAGE_RECORD))
                .toStream(Named.as("usage-totals-changes"))
                .selectKey((key, total) -> Metering.ownerKey(total), Named.as("usage-by-owner"));

        totals.split(Named.as("usage-period-"))
                .branch((owner, total) -> total.getPeriod() == UsagePeriod.HOURLY, Branched.withConsumer(hourly -> hourly
                        .to(topics.usageHourly.name(), Produced.with(KEY, USAGE_RECORD).withName("usage-hourly")), "hourly"))
                .branch((owner, total) -> total.getPeriod() == UsagePeriod.DAILY, Branched.withConsumer(daily -> daily
                        .to(topics.usageDaily.name(), Produced.with(KEY, USAGE_RECORD).withName("usage-daily")), "daily"))
                .noDefaultBranch();
    }
}
