package dev.berth.topology.usage;

import static dev.berth.schema.BerthSerdes.KERNEL_STATS;

import dev.berth.schema.avro.KernelStats;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.UsageMeter;
import dev.berth.schema.avro.UsageRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keyed by session id: keeps each session's meter and turns session events and stats samples into
 * usage deltas (keyed by the total they add to); a sample it cannot count goes out unchanged as a
 * dead letter with the reason in headers. A meter is dropped a while after its session ended.
 */
final class UsageProcessor implements Processor<String, SpecificRecord, String, SpecificRecord> {

    static final String STORE = "usage-meters";
    static final String HEADER_ERROR = "berth.error";
    static final String HEADER_TOPIC = "berth.source.topic";
    static final String HEADER_PARTITION = "berth.source.partition";
    static final String HEADER_OFFSET = "berth.source.offset";

    private final Duration keepEnded;
    private final UsageObserver observer;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, UsageMeter> store;

    UsageProcessor(Duration keepEnded, UsageObserver observer) {
        this.keepEnded = keepEnded;
        this.observer = observer;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        context.schedule(Duration.ofMinutes(10), PunctuationType.WALL_CLOCK_TIME, this::dropEnded);
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        String sessionId = record.key();
        if (sessionId == null) return;
        switch (record.value()) {
            case SessionEvent event -> apply(sessionId, Metering.changed(store.get(sessionId), event.getSession(), event.getAt().toEpochMilli()), record);
            case KernelStats stats -> {
                switch (Metering.sample(store.get(sessionId), stats)) {
                    case Metering.Counted counted -> apply(sessionId, counted, record);
                    case Metering.Rejected rejected -> reject(record, stats, rejected);
                }
            }
            default -> throw new IllegalArgumentException("not an input of usage metering: " + record.value().getClass().getSimpleName());
        }
    }

    private void apply(String sessionId, Metering.Counted counted, Record<String, SpecificRecord> record) {
        store.put(sessionId, counted.state());
        for (UsageRecord delta : counted.deltas()) {
            context.forward(new Record<String, SpecificRecord>(Metering.totalKey(delta), delta, record.timestamp()));
        }
    }

    private void reject(Record<String, SpecificRecord> record, KernelStats stats, Metering.Rejected rejected) {
        observer.rejected(rejected.reason());
        var headers = new RecordHeaders();
        headers.add(HEADER_ERROR, (rejected.reason().wire + ": " + rejected.detail()).getBytes(StandardCharsets.UTF_8));
        RecordMetadata source = context.recordMetadata().orElse(null);
        if (source != null) {
            headers.add(HEADER_TOPIC, source.topic().getBytes(StandardCharsets.UTF_8));
            headers.add(HEADER_PARTITION, Integer.toString(source.partition()).getBytes(StandardCharsets.UTF_8));
            headers.add(HEADER_OFFSET, Long.toString(source.offset()).getBytes(StandardCharsets.UTF_8));
        }
        context.forward(new Record<String, SpecificRecord>(record.key(), stats, record.timestamp(), headers));
    }

    private void dropEnded(long now) {
        List<String> done = new ArrayList<>();
        try (KeyValueIterator<String, UsageMeter> all = store.all()) {
            all.forEachRemaining(entry -> {
                Long ended = entry.value.getEndedAt();
                if (ended != null && now - ended > keepEnded.toMillis()) done.add(entry.key);
            });
        }
        done.forEach(store::delete);
    }

    /** The serde of dead letters is the stats' own: the bytes go out as they came. */
    static byte[] bytesOf(KernelStats stats, String topic) {
        return KERNEL_STATS.serialize(topic, stats);
    }
}
