package dev.berth.agent;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a whole topic from its beginning into a list, for tests that wait for records with a deadline. */
final class TopicReader<V> implements AutoCloseable {

    static final Duration DEADLINE = Duration.ofSeconds(30);

    private final KafkaConsumer<String, V> consumer;
    private final List<ConsumerRecord<String, V>> records = new ArrayList<>();

    TopicReader(String bootstrap, String topic, Deserializer<V> values) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20),
                new StringDeserializer(), values);
        // a topic just created may take a moment to show in the metadata
        List<TopicPartition> partitions = await().atMost(DEADLINE).until(() -> consumer.partitionsFor(topic).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList(), found -> !found.isEmpty());
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Everything read so far. */
    List<ConsumerRecord<String, V>> records() {
        return List.copyOf(records);
    }

    List<V> values() {
        return records.stream().map(ConsumerRecord::value).toList();
    }

    /** Reads until {@code done} holds for the records read so far, or fails at the deadline. */
    List<ConsumerRecord<String, V>> until(Predicate<List<ConsumerRecord<String, V>>> done) {
        await().atMost(DEADLINE).pollInSameThread().pollInterval(Duration.ofMillis(10)).until(() -> {
            consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            return done.test(records);
        });
        return records();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
