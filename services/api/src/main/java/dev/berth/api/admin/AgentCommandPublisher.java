package dev.berth.api.admin;

import dev.berth.api.AckedSender;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.AgentCommand;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

/**
 * Writes admins' commands to {@code agent.commands}, keyed by agent id with the default partitioner,
 * as placement writes its creates: so each lands on the one partition its agent reads.
 */
public final class AgentCommandPublisher implements AutoCloseable {

    private final Producer<String, AgentCommand> producer;
    private final AckedSender<AgentCommand> sender;

    public AgentCommandPublisher(String bootstrap, String topic, Duration ackTimeout) {
        this.producer = new KafkaProducer<>(AckedSender.producerProps(bootstrap, "berth-api-agent-commands", ackTimeout),
                BerthSerdes.KEY.serializer(), BerthSerdes.AGENT_COMMAND);
        this.sender = new AckedSender<>(producer, topic, ackTimeout, "berth-api-agent-commands");
    }

    /** Completes when the broker acknowledged the command; fails with a 503 problem otherwise. */
    public CompletableFuture<Void> publish(AgentCommand command) {
        return sender.send(command.getAgentId(), command);
    }

    /** Stops the sender and closes the producer; may block up to a few seconds, so not on the event loop. */
    @Override
    public void close() {
        sender.close();
        producer.close(Duration.ofSeconds(5));
    }
}
