package dev.berth.agent;

import dev.berth.schema.BerthSerdes;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.schema.avro.KernelEvent;
import dev.berth.schema.avro.KernelStats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything an agent writes, through its one idempotent producer. Values are serialized here, so
 * that a dead letter can go out byte for byte as it came in.
 */
final class Outbox implements AutoCloseable {

    static final String ERROR_HEADER = "berth.error";
    static final String SOURCE_TOPIC_HEADER = "berth.source.topic";
    static final String SOURCE_PARTITION_HEADER = "berth.source.partition";
    static final String SOURCE_OFFSET_HEADER = "berth.source.offset";

    private static final Logger log = LoggerFactory.getLogger(Outbox.class);

    private final KafkaProducer<byte[], byte[]> producer;
    private final Topics topics;

    Outbox(Map<String, Object> producerConfig, Topics topics) {
        Map<String, Object> config = new HashMap<>(producerConfig);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        this.producer = new KafkaProducer<>(config);
        this.topics = topics;
    }

    /** Keyed by session id, so that all kernels of a session stay in order for the lifecycle. */
    void kernelEvent(KernelEvent event) {
        String topic = topics.kernelEvents.name();
        send(new ProducerRecord<>(topic, key(event.getSessionId()), BerthSerdes.KERNEL_EVENT.serialize(topic, event)),
                "kernel event " + event.getKind() + " of " + event.getKernelId());
    }

    /** Keyed by session id, as the kernel events. */
    void kernelStats(KernelStats stats) {
        String topic = topics.kernelStats.name();
        send(new ProducerRecord<>(topic, key(stats.getSessionId()), BerthSerdes.KERNEL_STATS.serialize(topic, stats)),
                "stats of " + stats.getKernelId());
    }

    /** Completes when the broker has the heartbeat. */
    CompletableFuture<RecordMetadata> heartbeat(AgentHeartbeat heartbeat) {
        String topic = topics.agentHeartbeats.name();
        return send(new ProducerRecord<>(topic, key(heartbeat.getAgentId()), BerthSerdes.AGENT_HEARTBEAT.serialize(topic, heartbeat)),
                "heartbeat");
    }

    /** The record as it came, with headers saying why it was set aside and where it came from. */
    void deadLetter(ConsumerRecord<byte[], byte[]> source, String reason) {
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(topics.deadLetters.name(), null,
                source.key(), source.value(), source.headers());
        Headers headers = letter.headers();
        headers.add(ERROR_HEADER, utf8(reason));
        headers.add(SOURCE_TOPIC_HEADER, utf8(source.topic()));
        headers.add(SOURCE_PARTITION_HEADER, utf8(Integer.toString(source.partition())));
        headers.add(SOURCE_OFFSET_HEADER, utf8(Long.toString(source.offset())));
        send(letter, "dead letter from " + source.topic() + "-" + source.partition() + "@" + source.offset());
    }

    void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }

    private CompletableFuture<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, String what) {
        CompletableFuture<RecordMetadata> sent = new CompletableFuture<>();
        producer.send(record, (metadata, error) -> {
            if (error == null) {
                sent.complete(metadata);
            } else {
                log.error("Could not write the {} to {}: {}", what, record.topic(), error.toString());
                sent.completeExceptionally(error);
            }
        });
        return sent;
    }

    private static byte[] key(String key) {
        return BerthSerdes.KEY.serializer().serialize(null, key);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
