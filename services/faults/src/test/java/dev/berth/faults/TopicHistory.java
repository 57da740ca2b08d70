package dev.berth.faults;

import dev.berth.common.KafkaClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Everything committed on a topic so far, read as any outside reader would: a plain consumer
 * without a group, read_committed (records of aborted transactions, such as those of a killed
 * scheduler, never show), from the beginning of every partition to its end. Records of one
 * partition come in their order, so each key's records keep the order they were written in.
 */
final class TopicHistory {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private TopicHistory() {}

    static <T> List<T> read(String bootstrap, String topic, Deserializer<T> values) {
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaClients.consumer(bootstrap, null, "faults-history"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("could not read " + topic + " to its end within " + DEADLINE);
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() != null) out.add(values.deserialize(topic, record.value()));
                }
            }
        }
        return out;
    }
}
