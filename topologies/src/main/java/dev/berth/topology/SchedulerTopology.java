package dev.berth.topology;

import static dev.berth.schema.BerthSerdes.KEY;
import static dev.berth.schema.BerthSerdes.SESSION_REQUEST;

import dev.berth.schema.Topics;
import dev.berth.schema.avro.SessionRequest;
import dev.berth.topology.admission.AdmissionTopology;
import dev.berth.topology.lifecycle.LifecycleTopology;
import dev.berth.topology.placement.PlacementOptions;
import dev.berth.topology.placement.PlacementTopology;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;

/**
 * The scheduler's stages in the order a session meets them: requests are admitted, admitted sessions
 * are placed, and the lifecycle folds requests, placements and kernel events into session events.
 */
public final class SchedulerTopology {

    private SchedulerTopology() {}

    public static Topology build(Topics topics, PlacementOptions placement) {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, SessionRequest> requests = builder.stream(topics.sessionRequests.name(),
                Consumed.with(KEY, SESSION_REQUEST).withName("session-requests"));
        AdmissionTopology.addTo(requests, topics);
        PlacementTopology.addTo(builder, topics, placement);
        LifecycleTopology.addTo(builder, requests, topics);
        return builder.build();
    }
}
