package dev.berth.webhooks;

import dev.berth.identity.TopicProjector;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.SessionEvent;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns {@code session.events} into queued deliveries, in a consumer group of its own: per batch,
 * one transaction inserts a row per event and receiver, keyed by its idempotency key, and only
 * then are the offsets committed. A restart replays at most the batch in flight, and a replay
 * inserts nothing twice, so an event already delivered is not sent again. Records that do not
 * decode, or whose session id is not a UUID, are skipped with a warning (their writers
 * dead-letter bad input).
 */
final class Dispatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final TopicProjector projector;

    /** @param queued told after each batch's rows are committed, so that the workers look at once */
    Dispatcher(String bootstrap, String topic, String groupId, Pool pool, WebhookMetrics metrics, Runnable queued) {
        this.projector = new TopicProjector("berth-webhooks", bootstrap, List.of(topic), groupId, pool, records -> {
            List<SessionEvent> events = decode(records);
            if (events.isEmpty()) return null;
            return new TopicProjector.Write(events.size(),
                    conn -> DeliveryStore.queue(conn, events).map(inserted -> {
                        metrics.queued(inserted);
                        return null;
                    }), queued);
        });
    }

    void start() {
        projector.start();
    }

    boolean alive() {
        return projector.alive();
    }

    private static List<SessionEvent> decode(ConsumerRecords<String, byte[]> records) {
        List<SessionEvent> events = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                SessionEvent event = BerthSerdes.SESSION_EVENT.deserialize(record.topic(), record.value());
                if (event == null) continue;
                UUID.fromString(event.getSessionId());
                events.add(event);
            } catch (SerializationException | IllegalArgumentException e) {
                log.warn("webhook dispatcher skips {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
            }
        }
        return events;
    }

    @Override
    public void close() {
        projector.close();
    }
}
