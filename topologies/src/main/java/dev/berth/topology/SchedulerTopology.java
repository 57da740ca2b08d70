package dev.berth.topology;

import static dev.berth.schema.BerthSerdes.KEY;
import static dev.berth.schema.BerthSerdes.SESSION_REQUEST;

import dev.berth.schema.Topics;
import dev.berth.schema.avro.SessionEnded;
import dev.berth.schema.avro.SessionRequest;
import dev.berth.topology.admission.AdmissionOptions;
import dev.berth.topology.admission.AdmissionTopology;
import dev.berth.topology.lifecycle.LifecycleTopology;
import dev.berth.topology.placement.PlacementOptions;
import dev.berth.topology.placement.PlacementTopology;
import java.util.function.Supplier;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;

/**
 * The scheduler's stages in the order a session meets them: requests are admitted against the
 * policies of the config tables, admitted sessions are placed, and the lifecycle folds requests,
 * scheduling updates, placements and kernel events into session events.
 */
public final class SchedulerTopology {

    private SchedulerTopology() {}

    public static Topology build(Topics topics, PlacementOptions placement) {
        return build(topics, AdmissionOptions.DEFAULTS, placement);
    }

    public static Topology build(Topics topics, AdmissionOptions admission, PlacementOptions placement) {
        return build(topics, admission, placement, SchedulerObserver.NONE);
    }

    public static Topology build(Topics topics, AdmissionOptions admission, PlacementOptions placement, SchedulerObserver observer) {
        return build(topics, admission, () -> placement, observer);
    }

    /** {@code placement} is read on every pass and record: what it supplies may change while the topology runs. */
    public static Topology build(Topics topics, AdmissionOptions admission, Supplier<PlacementOptions> placement, SchedulerObserver observer) {
        StreamsBuilder builder = new StreamsBuilder();
        ConfigTables.addTo(builder, topics);
        // admission and the lifecycle share the one stream of requests
        KStream<String, SessionRequest> requests = builder.stream(topics.sessionRequests.name(),
                Consumed.with(KEY, SESSION_REQUEST).withName("session-requests"));
        // the lifecycle is wired first only because it yields the ends that admission and placement release on
        KStream<String, SessionEnded> ends = LifecycleTopology.addTo(builder, requests, topics);
        AdmissionTopology.addTo(builder, requests, ends, topics, admission, placement, observer);
        PlacementTopology.addTo(builder, ends, topics, placement, observer);
        return builder.build();
    }
}
