package dev.berth.agent;

import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.CreateKernel;
import dev.berth.schema.avro.DestroyKernel;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What the control plane has asked of one agent, as far as its command partition still holds it:
 * the kernels it created and those it destroyed. A restarted agent compares the kernels it finds
 * with this to stop those the control plane no longer wants (see {@link Recovery}).
 *
 * @param coversFrom  commands sent from this instant on are all in the history; {@link Instant#MAX}
 *                    when retention removed everything, so that nothing counts as unknown
 * @param created     kernels with a create
 * @param destroyed   kernels with a destroy, with its reason
 */
record CommandHistory(Instant coversFrom, Set<String> created, Map<String, String> destroyed) {

    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    /** Reads the partition from its first retained record to its current end. */
    static CommandHistory read(Map<String, Object> consumerConfig, TopicPartition partition, String agentId) {
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        Set<String> created = new HashSet<>();
        Map<String, String> destroyed = new HashMap<>();
        Instant coversFrom = null;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            consumer.assign(List.of(partition));
            long start = consumer.beginningOffsets(List.of(partition)).get(partition);
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            if (start == 0) coversFrom = Instant.EPOCH;
            consumer.seek(partition, start);
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (consumer.position(partition) < end) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("reading " + partition + " took over " + DEADLINE);
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    if (coversFrom == null) coversFrom = Instant.ofEpochMilli(record.timestamp());
                    String key = record.key() == null ? null : BerthSerdes.KEY.deserializer().deserialize(record.topic(), record.key());
                    if (!agentId.equals(key)) continue;
                    switch (decode(record)) {
                        case CreateKernel create -> created.add(create.getKernelId());
                        case DestroyKernel destroy -> destroyed.put(destroy.getKernelId(), destroy.getReason());
                        case null, default -> { } // the command loop sets undecodable records aside
                    }
                }
            }
        }
        return new CommandHistory(coversFrom == null ? Instant.MAX : coversFrom, created, destroyed);
    }

    private static Object decode(ConsumerRecord<byte[], byte[]> record) {
        try {
            AgentCommand command = BerthSerdes.AGENT_COMMAND.deserialize(record.topic(), record.value());
            return command == null ? null : command.getOp();
        } catch (SerializationException e) {
            return null;
        }
    }
}
