package dev.berth.topology.lifecycle;

import static dev.berth.schema.BerthSerdes.AGENT_COMMAND;
import static dev.berth.schema.BerthSerdes.KERNEL_EVENT;
import static dev.berth.schema.BerthSerdes.KEY;
import static dev.berth.schema.BerthSerdes.SESSION;
import static dev.berth.schema.BerthSerdes.SESSION_EVENT;
import static dev.berth.schema.BerthSerdes.SCHEDULING_UPDATE;
import static dev.berth.schema.BerthSerdes.SESSION_ADMITTED;
import static dev.berth.schema.BerthSerdes.SESSION_PLACED;

import dev.berth.schema.Topics;
import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.SessionAdmitted;
import dev.berth.schema.avro.SessionEnded;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionRequest;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The per-session state machine, keyed by session id.
 * <ul>
 *   <li>in: session.requests (session id → SessionRequest), session.placements (session id → SessionPlaced),
 *       kernel.events (session id → KernelEvent), session.scheduling (session id → SchedulingUpdate)</li>
 *   <li>store: lifecycle-sessions (session id → Session)</li>
 *   <li>out: session.events (session id → SessionEvent), agent.commands (agent id → AgentCommand, destroys),
 *       session.admitted (group → SessionAdmitted: batch sessions queued again after losing their agent),
 *       and, to admission and placement inside the application, SessionEnded (session id → when a session
 *       stops holding resources)</li>
 * </ul>
 */
public final class LifecycleTopology {

    private LifecycleTopology() {}

    /** Returns the stream of {@link SessionEnded}, still keyed by session id, for admission and placement. */
    public static KStream<String, SessionEnded> addTo(StreamsBuilder builder, KStream<String, SessionRequest> requests, Topics topics) {
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(LifecycleProcessor.STORE), KEY, SESSION).withCachingEnabled());

        KStream<String, LifecycleInput> placements = builder
                .stream(topics.sessionPlacements.name(), Consumed.with(KEY, SESSION_PLACED).withName("lifecycle-placements"))
                .mapValues(LifecycleInput.Placed::new, Named.as("lifecycle-placed"));
        KStream<String, LifecycleInput> scheduling = builder
                .stream(topics.sessionScheduling.name(), Consumed.with(KEY, SCHEDULING_UPDATE).withName("lifecycle-scheduling"))
                .mapValues(LifecycleInput.Waiting::new, Named.as("lifecycle-waiting"));
        KStream<String, LifecycleInput> kernelEvents = builder
                .stream(topics.kernelEvents.name(), Consumed.with(KEY, KERNEL_EVENT).withName("lifecycle-kernel-events"))
                .mapValues(LifecycleInput.KernelChanged::new, Named.as("lifecycle-kernel-changed"));

        var outputs = requests
                .mapValues(LifecycleInput::of, Named.as("lifecycle-request"))
                .merge(placements, Named.as("lifecycle-merge-placements"))
                .merge(kernelEvents, Named.as("lifecycle-merge-kernel-events"))
                .merge(scheduling, Named.as("lifecycle-merge-scheduling"))
                .process(LifecycleProcessor::new, Named.as("lifecycle"), LifecycleProcessor.STORE)
                .split(Named.as("lifecycle-out-"))
                .branch((key, out) -> out instanceof SessionEvent, Branched.<String, org.apache.avro.specific.SpecificRecord>withConsumer(events -> events
                        .mapValues(out -> (SessionEvent) out, Named.as("lifecycle-as-event"))
                        .to(topics.sessionEvents.name(), Produced.with(KEY, SESSION_EVENT).withName("lifecycle-session-events"))).withName("events"))
                .branch((key, out) -> out instanceof AgentCommand, Branched.<String, org.apache.avro.specific.SpecificRecord>withConsumer(commands -> commands
                        .mapValues(out -> (AgentCommand) out, Named.as("lifecycle-as-command"))
                        .to(topics.agentCommands.name(), Produced.with(KEY, AGENT_COMMAND).withName("lifecycle-agent-commands"))).withName("commands"))
                .branch((key, out) -> out instanceof SessionAdmitted, Branched.<String, org.apache.avro.specific.SpecificRecord>withConsumer(requeues -> requeues
                        .mapValues(out -> (SessionAdmitted) out, Named.as("lifecycle-as-requeue"))
                        .to(topics.sessionAdmitted.name(), Produced.with(KEY, SESSION_ADMITTED).withName("lifecycle-requeues"))).withName("requeues"))
                .branch((key, out) -> out instanceof SessionEnded, Branched.as("ends"))
                .noDefaultBranch();
        return outputs.get("lifecycle-out-ends").mapValues(out -> (SessionEnded) out, Named.as("lifecycle-as-ended"));
    }
}
