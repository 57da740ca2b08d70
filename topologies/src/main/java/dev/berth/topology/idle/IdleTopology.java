package dev.berth.topology.idle;

import static dev.berth.schema.BerthSerdes.IDLE_STATE;
import static dev.berth.schema.BerthSerdes.KEY;
import static dev.berth.schema.BerthSerdes.KERNEL_STATS;
import static dev.berth.schema.BerthSerdes.SESSION_ACTIVITY;
import static dev.berth.schema.BerthSerdes.SESSION_EVENT;
import static dev.berth.schema.BerthSerdes.SESSION_REQUEST;

import dev.berth.schema.Topics;
import dev.berth.schema.avro.KernelStats;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.topology.ConfigTables;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The idle checks (SPEC IDL), keyed by session id.
 * <ul>
 *   <li>in: session.events (session id → SessionEvent), kernel.stats (session id → KernelStats),
 *       session.activity (session id → SessionActivity); config.keypairs, config.limits and
 *       config.scaling-groups as global stores (policies and group options)</li>
 *   <li>repartitions, with a user grace period only: idle-users (user id → SessionEvent, ENQUEUED only),
 *       idle-user-since (session id → when its user was first seen)</li>
 *   <li>stores: idle-sessions (session id → IdleState), idle-user-since (user id → epoch millis)</li>
 *   <li>out: session.requests (session id → SessionRequest{DestroySession} with the checker's reason);
 *       reports to an {@link IdleReportSink}</li>
 * </ul>
 */
public final class IdleTopology {

    private IdleTopology() {}

    /** A topology of the idle checks alone, reading its own sources; for tests and a standalone run. */
    public static Topology build(Topics topics, IdleSettings settings, IdleReportSink sink) {
        StreamsBuilder builder = new StreamsBuilder();
        ConfigTables.addTo(builder, topics);
        KStream<String, SessionEvent> events = builder.stream(topics.sessionEvents.name(),
                Consumed.with(KEY, SESSION_EVENT).withName("idle-session-events"));
        KStream<String, KernelStats> stats = builder.stream(topics.kernelStats.name(),
                Consumed.with(KEY, KERNEL_STATS).withName("idle-kernel-stats"));
        addTo(builder, events, stats, topics, settings, sink);
        return builder.build();
    }

    /**
     * Adds the idle checks to an application that already reads session.events and kernel.stats
     * (a topic has one source per application) and holds {@link ConfigTables}.
     */
    public static void addTo(StreamsBuilder builder, KStream<String, SessionEvent> events, KStream<String, KernelStats> stats,
                             Topics topics, IdleSettings settings, IdleReportSink sink) {
        addTo(builder, events, stats, topics, () -> settings, sink);
    }

    /**
     * As above with settings read live by every check; whether the user grace period applies at all
     * (a stage of its own) and the check interval are taken from the first value, at build time.
     */
    public static void addTo(StreamsBuilder builder, KStream<String, SessionEvent> events, KStream<String, KernelStats> stats,
                             Topics topics, Supplier<IdleSettings> settings, IdleReportSink sink) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(IdleProcessor.STORE), KEY, IDLE_STATE)
                .withCachingEnabled());

        KStream<String, IdleInput> inputs = events
                .<IdleInput>mapValues(IdleInput.Changed::new, Named.as("idle-changed"))
                .merge(stats.mapValues(IdleInput.Stats::new, Named.as("idle-stats")), Named.as("idle-merge-stats"))
                .merge(builder.stream(topics.sessionActivity.name(), Consumed.with(KEY, SESSION_ACTIVITY).withName("idle-session-activity"))
                        .mapValues(IdleInput.Activity::new, Named.as("idle-activity")), Named.as("idle-merge-activity"));

        if (settings.get().hasUserGrace()) {
            builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(UserSinceProcessor.STORE), KEY, Serdes.Long()));
            KStream<String, IdleInput> userSince = events
                    .filter((id, event) -> event.getKind() == SessionEventKind.ENQUEUED, Named.as("idle-enqueued"))
                    .selectKey((id, event) -> userOf(event), Named.as("idle-by-user"))
                    .repartition(Repartitioned.<String, SessionEvent>as("idle-users").withKeySerde(KEY).withValueSerde(SESSION_EVENT))
                    .process(UserSinceProcessor::new, Named.as("idle-user-since"), UserSinceProcessor.STORE)
                    .repartition(Repartitioned.<String, Long>as("idle-user-since").withKeySerde(KEY).withValueSerde(Serdes.Long())
                            .withNumberOfPartitions(topics.sessionEvents.partitions()))
                    .mapValues(IdleInput.UserSince::new, Named.as("idle-as-user-since"));
            inputs = inputs.merge(userSince, Named.as("idle-merge-user-since"));
        }

        inputs.process(() -> new IdleProcessor(settings, sink), Named.as("idle-checks"), IdleProcessor.STORE)
                .to(topics.sessionRequests.name(), Produced.with(KEY, SESSION_REQUEST).withName("idle-destroy-requests"));
    }

    /** Sessions of keypairs without a user are counted under the keypair. */
    private static String userOf(SessionEvent event) {
        String user = event.getSession().getSpec().getUserId();
        return user.isEmpty() ? "keypair:" + event.getSession().getAccessKey() : user;
    }
}
