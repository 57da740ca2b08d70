package dev.berth.api.session;

import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.common.KafkaClients;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.SessionRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Writes session requests to {@code session.requests}, keyed by session id. {@code send} may block
 * (fetching metadata, a full buffer), so it runs on one thread of its own, never on the event loop;
 * one thread also keeps the order in which requests were accepted.
 */
public final class RequestPublisher implements AutoCloseable {

    private final Producer<String, SessionRequest> producer;
    private final String topic;
    private final Duration ackTimeout;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("berth-api-sender").daemon(true).factory());

    public RequestPublisher(Producer<String, SessionRequest> producer, String topic, Duration ackTimeout) {
        this.producer = producer;
        this.topic = topic;
        this.ackTimeout = ackTimeout;
    }

    /** A producer whose own deadlines match {@code ackTimeout}, so that it gives up when the API does. */
    public static Producer<String, SessionRequest> createProducer(String bootstrap, Duration ackTimeout) {
        Map<String, Object> props = KafkaClients.producer(bootstrap, "berth-api");
        long millis = ackTimeout.toMillis();
        // the producer requires delivery.timeout >= linger + request.timeout
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) millis);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) (millis / 2));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, millis);
        return new KafkaProducer<>(props, BerthSerdes.KEY.serializer(), BerthSerdes.SESSION_REQUEST);
    }

    /** Completes when the broker acknowledged the request; fails with a problem otherwise. */
    public CompletableFuture<Void> publish(SessionRequest request) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        sender.execute(() -> {
            try {
                producer.send(new ProducerRecord<>(topic, request.getSessionId(), request), (metadata, error) -> {
                    if (error == null) acked.complete(null);
                    else acked.completeExceptionally(error);
                });
            } catch (RuntimeException e) {
                acked.completeExceptionally(e);
            }
        });
        CompletableFuture<Void> answer = new CompletableFuture<>();
        acked.orTimeout(ackTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((done, error) -> {
            if (error == null) answer.complete(null);
            else answer.completeExceptionally(problem(error));
        });
        return answer;
    }

    /** A record that does not encode is a bug (500); anything else means Kafka did not take it (503). */
    private ProblemException problem(Throwable error) {
        if (error instanceof SerializationException) {
            return new ProblemException(ProblemKind.INTERNAL_SERVER_ERROR, "cannot encode the request: " + error.getMessage(), error);
        }
        return new ProblemException(ProblemKind.SERVICE_UNAVAILABLE,
                "Kafka did not acknowledge the request on " + topic + " within " + ackTimeout.toMillis() + " ms: " + error, error);
    }

    @Override
    public void close() {
        sender.shutdown();
    }
}
