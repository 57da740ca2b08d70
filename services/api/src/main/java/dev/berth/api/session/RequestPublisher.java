package dev.berth.api.session;

import dev.berth.api.AckedSender;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.SessionRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

/** Writes session requests to {@code session.requests}, keyed by session id, acknowledged before the API answers. */
public final class RequestPublisher implements AutoCloseable {

    private final AckedSender<SessionRequest> sender;

    public RequestPublisher(Producer<String, SessionRequest> producer, String topic, Duration ackTimeout) {
        this.sender = new AckedSender<>(producer, topic, ackTimeout, "berth-api-sender");
    }

    /** A producer whose own deadlines match {@code ackTimeout}, so that it gives up when the API does. */
    public static Producer<String, SessionRequest> createProducer(String bootstrap, Duration ackTimeout) {
        return new KafkaProducer<>(AckedSender.producerProps(bootstrap, "berth-api", ackTimeout),
                BerthSerdes.KEY.serializer(), BerthSerdes.SESSION_REQUEST);
    }

    /** Completes when the broker acknowledged the request; fails with a problem otherwise. */
    public CompletableFuture<Void> publish(SessionRequest request) {
        return sender.send(request.getSessionId(), request);
    }

    @Override
    public void close() {
        sender.close();
    }
}
