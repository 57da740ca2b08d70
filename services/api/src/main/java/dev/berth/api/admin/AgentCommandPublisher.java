package dev.berth.api.admin;

import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.common.KafkaClients;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.AgentCommand;
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

/**
 * Writes admins' commands to {@code agent.commands}, keyed by agent id with the default partitioner,
 * as placement writes its creates: so each lands on the one partition its agent reads. {@code send}
 * may block, so it runs on a thread of its own, never on the event loop.
 */
public final class AgentCommandPublisher implements AutoCloseable {

    private final Producer<String, AgentCommand> producer;
    private final String topic;
    private final Duration ackTimeout;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("berth-api-agent-commands").daemon(true).factory());

    public AgentCommandPublisher(String bootstrap, String topic, Duration ackTimeout) {
        Map<String, Object> props = KafkaClients.producer(bootstrap, "berth-api-agent-commands");
        long millis = ackTimeout.toMillis();
        // the producer requires delivery.timeout >= linger + request.timeout
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) millis);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) (millis / 2));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, millis);
        this.producer = new KafkaProducer<>(props, BerthSerdes.KEY.serializer(), BerthSerdes.AGENT_COMMAND);
        this.topic = topic;
        this.ackTimeout = ackTimeout;
    }

    /** Completes when the broker acknowledged the command; fails with a 503 problem otherwise. */
    public CompletableFuture<Void> publish(AgentCommand command) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        sender.execute(() -> {
            try {
                producer.send(new ProducerRecord<>(topic, command.getAgentId(), command), (metadata, error) -> {
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
            else answer.completeExceptionally(new ProblemException(ProblemKind.SERVICE_UNAVAILABLE,
                    "Kafka did not acknowledge the command on " + topic + " within " + ackTimeout.toMillis() + " ms: " + error, error));
        });
        return answer;
    }

    /** Stops the sender and closes the producer; may block up to a few seconds, so not on the event loop. */
    @Override
    public void close() {
        sender.shutdown();
        producer.close(Duration.ofSeconds(5));
    }
}
