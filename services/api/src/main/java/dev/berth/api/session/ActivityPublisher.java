package dev.berth.api.session;

import dev.berth.common.KafkaClients;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.SessionActivity;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the idle checks that a user did something with a session (SPEC IDL-09): one record on
 * {@code session.activity} per action, keyed by session id. Best effort: the answer to the user
 * never waits for it, and a record Kafka did not take is logged, not retried.
 */
public final class ActivityPublisher implements ActivityLog, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ActivityPublisher.class);

    private final Producer<String, SessionActivity> producer;
    private final String topic;
    // send may block on metadata: never on the event loop
    private final ExecutorService sender = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("berth-api-activity").daemon(true).factory());

    public ActivityPublisher(String bootstrap, String topic) {
        this.producer = new KafkaProducer<>(KafkaClients.producer(bootstrap, "berth-api-activity"),
                BerthSerdes.KEY.serializer(), BerthSerdes.SESSION_ACTIVITY);
        this.topic = topic;
    }

    @Override
    public void record(String sessionId, String accessKey, String action) {
        SessionActivity activity = new SessionActivity(sessionId, Instant.now(), accessKey, action);
        sender.execute(() -> {
            try {
                producer.send(new ProducerRecord<>(topic, sessionId, activity), (metadata, error) -> {
                    if (error != null) log.warn("activity {} of session {} not recorded: {}", action, sessionId, error.toString());
                });
            } catch (RuntimeException e) {
                log.warn("activity {} of session {} not recorded: {}", action, sessionId, e.toString());
            }
        });
    }

    @Override
    public void close() {
        sender.shutdown();
        producer.close(Duration.ofSeconds(5));
    }
}
