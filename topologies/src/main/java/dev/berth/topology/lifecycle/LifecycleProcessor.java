package dev.berth.topology.lifecycle;

import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionEnded;
import dev.berth.schema.avro.SessionEvent;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies {@link Lifecycle#decide} to the session store; forwards events keyed by session, commands
 * keyed by agent, sessions going back to the queue keyed by scaling group, and a small
 * {@link SessionEnded} whenever a session stops holding resources, for admission and placement.
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
        Session current = sessions.get(sessionId);
        Lifecycle.Decision decision = Lifecycle.decide(current, record.value(), record.timestamp());
        if (!decision.changed()) return;
        Session next = decision.next();
        sessions.put(sessionId, next);
        for (SessionEvent event : decision.events()) {
            context.forward(record.withKey(sessionId).withValue(event));
        }
        for (AgentCommand command : decision.commands()) {
            context.forward(record.withKey(command.getAgentId()).withValue(command));
        }
        if (Lifecycle.releases(next.getStatus()) && (current == null || current.getStatus() != next.getStatus())) {
            context.forward(record.withKey(sessionId).withValue(new SessionEnded(sessionId, Instant.ofEpochMilli(record.timestamp()),
                    next.getStatus(), next.getResult(), next.getSpec().getScalingGroup(), next.getSpec().getDomain())));
        }
        if (decision.requeue() != null) {
            context.forward(record.withKey(decision.requeue().getSpec().getScalingGroup()).withValue(decision.requeue()));
        }
    }
}
