package dev.berth.topology;

import static dev.berth.schema.BerthSerdes.KERNEL_STATS;
import static dev.berth.schema.BerthSerdes.KEY;
import static dev.berth.schema.BerthSerdes.SESSION_EVENT;

import dev.berth.schema.Topics;
import dev.berth.schema.avro.KernelStats;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.topology.idle.IdleReportSink;
import dev.berth.topology.idle.IdleSettings;
import dev.berth.topology.idle.IdleTopology;
import dev.berth.topology.usage.UsageObserver;
import dev.berth.topology.usage.UsageTopology;
import java.util.function.Supplier;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;

/**
 * The stages that consume what the scheduler and the agents publish: idle checks and usage
 * metering, one application beside the scheduler's so that either can lag without slowing
 * placement. Both read session.events and kernel.stats, which an application reads once.
 */
public final class ConsumersTopology {

    private ConsumersTopology() {}

    public static Topology build(Topics topics, IdleSettings idle, IdleReportSink reports, UsageObserver usage) {
        return build(topics, () -> idle, reports, usage);
    }

    /** {@code idle} is read by every check: what it supplies may change while the topology runs. */
    public static Topology build(Topics topics, Supplier<IdleSettings> idle, IdleReportSink reports, UsageObserver usage) {
        StreamsBuilder builder = new StreamsBuilder();
        ConfigTables.addTo(builder, topics);
        KStream<String, SessionEvent> events = builder.stream(topics.sessionEvents.name(),
                Consumed.with(KEY, SESSION_EVENT).withName("consumers-session-events"));
        KStream<String, KernelStats> stats = builder.stream(topics.kernelStats.name(),
                Consumed.with(KEY, KERNEL_STATS).withName("consumers-kernel-stats"));
        IdleTopology.addTo(builder, events, stats, topics, idle, reports);
        UsageTopology.addTo(builder, events, stats, topics, usage);
        return builder.build();
    }
}
