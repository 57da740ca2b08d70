package dev.berth.topology.admission;

import static dev.berth.schema.BerthSerdes.KEY;
import static dev.berth.schema.BerthSerdes.SCHEDULING_UPDATE;
import static dev.berth.schema.BerthSerdes.SESSION_ADMITTED;
import static dev.berth.schema.BerthSerdes.SESSION_ENDED;
import static dev.berth.schema.BerthSerdes.SESSION_OUTCOME;
import static dev.berth.schema.BerthSerdes.SESSION_REQUEST;

import dev.berth.schema.Topics;
import dev.berth.schema.avro.CreateSession;
import dev.berth.schema.avro.SchedulingUpdate;
import dev.berth.schema.avro.SessionAdmitted;
import dev.berth.schema.avro.SessionEnded;
import dev.berth.schema.avro.SessionRequest;
import dev.berth.topology.SchedulerObserver;
import dev.berth.topology.placement.PlacementOptions;
import org.apache.avro.specific.SpecificRecord;
import java.util.function.Supplier;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * Admission, keyed by domain.
 * <ul>
 *   <li>in: session.requests (creates only), the lifecycle's SessionEnded, both repartitioned by domain;
 *       config.keypairs, config.limits, config.scaling-groups as global stores</li>
 *   <li>stores: admission-waiting, admission-reserved, admission-outcomes</li>
 *   <li>out: session.admitted (group → SessionAdmitted), session.scheduling (session id → SchedulingUpdate:
 *       why a session waits), session.requests (session id → SessionRequest: cancels when a dependency failed
 *       or the group's pending timeout passed)</li>
 * </ul>
 */
public final class AdmissionTopology {

    private AdmissionTopology() {}

    /** {@code placement} holds the groups' settings (read live), as their pending timeout also ends a wait here. */
    public static void addTo(StreamsBuilder builder, KStream<String, SessionRequest> requests,
                             KStream<String, SessionEnded> ends, Topics topics, AdmissionOptions options,
                             Supplier<PlacementOptions> placement, SchedulerObserver observer) {
        int partitions = topics.sessionRequests.partitions();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(AdmissionProcessor.WAITING), KEY, SESSION_ADMITTED).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(AdmissionProcessor.RESERVED), KEY, SESSION_ADMITTED).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(AdmissionProcessor.OUTCOMES), KEY, SESSION_OUTCOME).withCachingEnabled());

        KStream<String, AdmissionInput> creates = requests
                .filter((sessionId, request) -> request.getOp() instanceof CreateSession, Named.as("admission-creates"))
                .mapValues(Admission::candidate, Named.as("admission-validate"))
                .selectKey((sessionId, candidate) -> candidate.getSpec().getDomain(), Named.as("admission-create-by-domain"))
                .repartition(Repartitioned.with(KEY, SESSION_ADMITTED).withName("admission-candidates").withNumberOfPartitions(partitions))
                .mapValues(AdmissionInput.Create::new, Named.as("admission-as-create"));
        KStream<String, AdmissionInput> releases = ends
                .selectKey((sessionId, ended) -> ended.getDomain(), Named.as("admission-end-by-domain"))
                .repartition(Repartitioned.with(KEY, SESSION_ENDED).withName("admission-ends").withNumberOfPartitions(partitions))
                .mapValues(AdmissionInput.Ended::new, Named.as("admission-as-end"));

        creates
                .merge(releases, Named.as("admission-merge-ends"))
                .process(() -> new AdmissionProcessor(options, placement, observer), Named.as("admission"),
                        AdmissionProcessor.WAITING, AdmissionProcessor.RESERVED, AdmissionProcessor.OUTCOMES)
                .split(Named.as("admission-out-"))
                .branch((key, out) -> out instanceof SessionAdmitted, Branched.<String, SpecificRecord>withConsumer(admitted -> admitted
                        .mapValues(out -> (SessionAdmitted) out, Named.as("admission-as-admitted"))
                        .to(topics.sessionAdmitted.name(), Produced.with(KEY, SESSION_ADMITTED).withName("admission-admitted"))).withName("admitted"))
                .branch((key, out) -> out instanceof SchedulingUpdate, Branched.<String, SpecificRecord>withConsumer(updates -> updates
                        .mapValues(out -> (SchedulingUpdate) out, Named.as("admission-as-update"))
                        .to(topics.sessionScheduling.name(), Produced.with(KEY, SCHEDULING_UPDATE).withName("admission-scheduling"))).withName("updates"))
                .branch((key, out) -> out instanceof SessionRequest, Branched.<String, SpecificRecord>withConsumer(cancels -> cancels
                        .mapValues(out -> (SessionRequest) out, Named.as("admission-as-request"))
                        .to(topics.sessionRequests.name(), Produced.with(KEY, SESSION_REQUEST).withName("admission-requests"))).withName("requests"));
    }
}
