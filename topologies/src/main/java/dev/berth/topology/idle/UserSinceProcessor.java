package dev.berth.topology.idle;

import dev.berth.schema.avro.SessionEvent;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keyed by user: remembers when each user's first session was created, and tells each new session
 * of the user that time, keyed by the session's id again.
 */
final class UserSinceProcessor implements Processor<String, SessionEvent, String, Long> {

    static final String STORE = "idle-user-since";

    private ProcessorContext<String, Long> context;
    private KeyValueStore<String, Long> store;

    @Override
    public void init(ProcessorContext<String, Long> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, SessionEvent> record) {
        if (record.key() == null) return;
        long created = record.value().getSession().getCreatedAt().toEpochMilli();
        Long known = store.get(record.key());
        long since = known == null ? created : Math.min(known, created);
        if (known == null || since != known) store.put(record.key(), since);
        context.forward(new Record<>(record.value().getSessionId(), since, record.timestamp()));
    }
}
