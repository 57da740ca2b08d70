package dev.berth.api;

import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.common.KafkaClients;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Writes records the API answers for only once the broker has them: {@code send} may block
 * (fetching metadata, a full buffer), so it runs on one thread of its own, never on the event loop,
 * which also keeps the order records were accepted in; no ack within the timeout is a 503 problem.
 */
public final class AckedSender<V> implements AutoCloseable {

    private final Producer<String, V> producer;
    private final String topic;
    private final Duration ackTimeout;
    private final ExecutorService sender;

    public AckedSender(Producer<String, V> producer, String topic, Duration ackTimeout, String threadName) {
        this.producer = producer;
        this.topic = topic;
        this.ackTimeout = ackTimeout;
        this.sender = Executors.newSingleThreadExecutor(Thread.ofPlatform().name(threadName).daemon(true).factory());
    }

    /** Producer settings whose own deadlines match {@code ackTimeout}, so that the producer gives up when the API does. */
    public static Map<String, Object> producerProps(String bootstrap, String clientId, Duration ackTimeout) {
        Map<String, Object> props = KafkaClients.producer(bootstrap, clientId);
        long millis = ackTimeout.toMillis();
        // the producer requires delivery.timeout >= linger + request.timeout
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) millis);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) (millis / 2));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, millis);
        return props;
    }

    /** Completes when the broker acknowledged the record; fails with a problem otherwise. */
    public CompletableFuture<Void> send(String key, V value) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        sender.execute(() -> {
            try {
                producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
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
            return new ProblemException(ProblemKind.INTERNAL_SERVER_ERROR, "cannot encode the record for " + topic + ": " + error.getMessage(), error);
        }
        return new ProblemException(ProblemKind.SERVICE_UNAVAILABLE,
                "Kafka did not acknowledge the record on " + topic + " within " + ackTimeout.toMillis() + " ms: " + error, error);
    }

    /** Stops the sender thread; the producer is the caller's. */
    @Override
    public void close() {
        sender.shutdown();
    }
}
