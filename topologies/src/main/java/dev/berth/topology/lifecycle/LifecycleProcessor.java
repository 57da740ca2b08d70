package dev.berth.topology.lifecycle;

import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionEvent;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies {@link Lifecycle#decide} to the session store; forwards events keyed by session, commands
 * keyed by agent and sessions going back to the queue keyed by scaling group.
 */
final class LifecycleProcessor implements Processor<String, LifecycleInput, String, SpecificRecord> {

    static final String STORE = "lifecycle-sessions";

    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, Session> sessions;

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.sessions = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, LifecycleInput> record) {
        String sessionId = record.key();
        Lifecycle.Decision decision = Lifecycle.decide(sessions.get(sessionId), record.value(), record.timestamp());
        if (!decision.changed()) return;
        sessions.put(sessionId, decision.next());
        for (SessionEvent event : decision.events()) {
            context.forward(record.withKey(sessionId).withValue(event));
        }
        for (AgentCommand command : decision.commands()) {
            context.forward(record.withKey(command.getAgentId()).withValue(command));
        }
        if (decision.requeue() != null) {
            context.forward(record.withKey(decision.requeue().getSpec().getScalingGroup()).withValue(decision.requeue()));
        }
    }
}
