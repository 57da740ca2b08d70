package dev.berth.webhooks;

import dev.berth.common.KafkaClients;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.WebhookDeadLetter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes deliveries that used up their attempts to {@code webhooks.dead-letters}, keyed by session
 * id, with the reason in the record and in a {@code berth.error} header as on {@code dead-letters}.
 * The record goes out before the row is marked failed, so a crash in between writes it twice
 * rather than never.
 */
final class DeadLetters implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;

    DeadLetters(String bootstrap, String topic) {
        this.producer = new KafkaProducer<>(KafkaClients.producer(bootstrap, "berth-webhooks-dead-letters"),
                new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    /** Completes on {@code context} once the broker has the record. */
    Future<Void> publish(DeliveryStore.Claimed delivery, String reason, Instant at, Context context) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, delivery.sessionId(),
                BerthSerdes.WEBHOOK_DEAD_LETTER.serialize(topic, record(delivery, reason, at)));
        record.headers().add("berth.error", reason.getBytes(StandardCharsets.UTF_8));
        CompletableFuture<Void> acked = new CompletableFuture<>();
        producer.send(record, (metadata, e) -> {
            if (e == null) acked.complete(null);
            else acked.completeExceptionally(e);
        });
        return Future.fromCompletionStage(acked, context);
    }

    static WebhookDeadLetter record(DeliveryStore.Claimed delivery, String reason, Instant at) {
        return WebhookDeadLetter.newBuilder()
                .setDeliveryId(delivery.id().toString())
                .setEventId(delivery.eventId().toString())
                .setSubscriptionId(delivery.subscriptionId() == null ? null : delivery.subscriptionId().toString())
                .setUrl(delivery.url())
                .setSessionId(delivery.sessionId())
                .setEvent(delivery.event())
                .setVersion(delivery.version())
                .setAttempts(delivery.attempts())
                .setReason(reason)
                .setFailedAt(at)
                .setPayload(delivery.payload())
                .build();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
