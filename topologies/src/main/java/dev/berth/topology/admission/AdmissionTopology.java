package dev.berth.topology.admission;

import static dev.berth.schema.BerthSerdes.KEY;
import static dev.berth.schema.BerthSerdes.SESSION_ADMITTED;

import dev.berth.schema.Topics;
import dev.berth.schema.avro.CreateSession;
import dev.berth.schema.avro.SessionRequest;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * session.requests (session id → SessionRequest) ─► admission ─► session.admitted (scaling group → SessionAdmitted).
 */
public final class AdmissionTopology {

    private AdmissionTopology() {}

    public static void addTo(KStream<String, SessionRequest> requests, Topics topics) {
        requests
                .filter((sessionId, request) -> request.getOp() instanceof CreateSession, Named.as("admission-creates"))
                .mapValues(Admission::admit, Named.as("admission-admit"))
                .selectKey((sessionId, admitted) -> admitted.getSpec().getScalingGroup(), Named.as("admission-by-group"))
                .to(topics.sessionAdmitted.name(), Produced.with(KEY, SESSION_ADMITTED).withName("admission-out"));
    }
}
