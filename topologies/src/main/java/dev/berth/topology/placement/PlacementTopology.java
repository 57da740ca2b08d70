package dev.berth.topology.placement;

import static dev.berth.schema.BerthSerdes.AGENT_COMMAND;
import static dev.berth.schema.BerthSerdes.AGENT_HEARTBEAT;
import static dev.berth.schema.BerthSerdes.KEY;
import static dev.berth.schema.BerthSerdes.SCHEDULING_UPDATE;
import static dev.berth.schema.BerthSerdes.SESSION_ADMITTED;
import static dev.berth.schema.BerthSerdes.SESSION_ENDED;
import static dev.berth.schema.BerthSerdes.SESSION_PLACED;
import static dev.berth.schema.BerthSerdes.SESSION_REQUEST;

import dev.berth.schema.Topics;
import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.SchedulingUpdate;
import dev.berth.schema.avro.SessionEnded;
import dev.berth.schema.avro.SessionPlaced;
import dev.berth.schema.avro.SessionRequest;
import dev.berth.topology.SchedulerObserver;
import dev.berth.topology.lifecycle.Transitions;
import org.apache.avro.specific.SpecificRecord;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * Placement, keyed by scaling group.
 * <ul>
 *   <li>in: session.admitted (group → SessionAdmitted); agent.heartbeats (agent id → AgentHeartbeat), repartitioned
 *       by group; the lifecycle's SessionEnded, only dead sessions, repartitioned by group</li>
 *   <li>stores: placement-queue, placement-agents, placement-allocations, placement-ended</li>
 *   <li>out: session.placements (session id → SessionPlaced), agent.commands (agent id → AgentCommand: creates,
 *       and destroys of kernels no allocation holds), session.requests (session id → SessionRequest: cancels of
 *       sessions past their pending timeout, news of lost agents), session.scheduling (session id →
 *       SchedulingUpdate: why a session is not placed yet)</li>
 * </ul>
 */
public final class PlacementTopology {

    private PlacementTopology() {}

    public static void addTo(StreamsBuilder builder, KStream<String, SessionEnded> ends, Topics topics, Supplier<PlacementOptions> options,
                             SchedulerObserver observer) {
        int partitions = topics.sessionAdmitted.partitions();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PlacementProcessor.QUEUE), KEY, SESSION_ADMITTED).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PlacementProcessor.AGENTS), KEY, AGENT_HEARTBEAT).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PlacementProcessor.ALLOCATIONS), KEY, SESSION_PLACED).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PlacementProcessor.ENDED), KEY, Serdes.Long()).withCachingEnabled());

        KStream<String, PlacementInput> admitted = builder
                .stream(topics.sessionAdmitted.name(), Consumed.with(KEY, SESSION_ADMITTED).withName("placement-admitted"))
                .mapValues(PlacementInput.Admitted::new, Named.as("placement-as-admitted"));
        KStream<String, PlacementInput> heartbeats = builder
                .stream(topics.agentHeartbeats.name(), Consumed.with(KEY, AGENT_HEARTBEAT).withName("placement-heartbeats-in"))
                .selectKey((agentId, heartbeat) -> heartbeat.getScalingGroup(), Named.as("placement-heartbeat-by-group"))
                .repartition(Repartitioned.with(KEY, AGENT_HEARTBEAT).withName("placement-heartbeats").withNumberOfPartitions(partitions))
                .mapValues(PlacementInput.Heartbeat::new, Named.as("placement-as-heartbeat"));
        KStream<String, PlacementInput> ended = ends
                .filter((sessionId, end) -> Transitions.isTerminal(end.getStatus()), Named.as("placement-only-dead"))
                .selectKey((sessionId, end) -> end.getScalingGroup(), Named.as("placement-ended-by-group"))
                .repartition(Repartitioned.with(KEY, SESSION_ENDED).withName("placement-ended").withNumberOfPartitions(partitions))
                .mapValues(PlacementInput.Ended::new, Named.as("placement-as-ended"));

        admitted
                .merge(heartbeats, Named.as("placement-merge-heartbeats"))
                .merge(ended, Named.as("placement-merge-ended"))
                .process(() -> new PlacementProcessor(options, observer), Named.as("placement"),
                        PlacementProcessor.QUEUE, PlacementProcessor.AGENTS, PlacementProcessor.ALLOCATIONS, PlacementProcessor.ENDED)
                .split(Named.as("placement-out-"))
                .branch((key, out) -> out instanceof SessionPlaced, Branched.<String, SpecificRecord>withConsumer(placed -> placed
                        .mapValues(out -> (SessionPlaced) out, Named.as("placement-as-placed"))
                        .to(topics.sessionPlacements.name(), Produced.with(KEY, SESSION_PLACED).withName("placement-placements"))).withName("placed"))
                .branch((key, out) -> out instanceof AgentCommand, Branched.<String, SpecificRecord>withConsumer(commands -> commands
                        .mapValues(out -> (AgentCommand) out, Named.as("placement-as-command"))
                        .to(topics.agentCommands.name(), Produced.with(KEY, AGENT_COMMAND).withName("placement-agent-commands"))).withName("commands"))
                .branch((key, out) -> out instanceof SessionRequest, Branched.<String, SpecificRecord>withConsumer(requests -> requests
                        .mapValues(out -> (SessionRequest) out, Named.as("placement-as-request"))
                        .to(topics.sessionRequests.name(), Produced.with(KEY, SESSION_REQUEST).withName("placement-session-requests"))).withName("requests"))
                .branch((key, out) -> out instanceof SchedulingUpdate, Branched.<String, SpecificRecord>withConsumer(updates -> updates
                        .mapValues(out -> (SchedulingUpdate) out, Named.as("placement-as-update"))
                        .to(topics.sessionScheduling.name(), Produced.with(KEY, SCHEDULING_UPDATE).withName("placement-scheduling"))).withName("updates"));
    }
}
