package dev.berth.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.berth.kafka.EmbeddedKafka;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ConsumerLagIT {

    private static EmbeddedKafka kafka;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.startTemporary();
        admin = Admin.create(KafkaClients.admin(kafka.bootstrapServers()));
        admin.createTopics(List.of(new NewTopic("lag.events", 2, (short) 1))).all().get();
    }

    @AfterAll
    static void stop() {
        if (admin != null) admin.close();
        if (kafka != null) kafka.close();
    }

    @Test
    @DisplayName("a Berth group's lag per topic is what it has committed short of the end; other groups are not measured")
    void measuresBerthGroups() throws Exception {
        try (var producer = new KafkaProducer<>(KafkaClients.producer(kafka.bootstrapServers(), "lag-producer"),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 10; i++) producer.send(new ProducerRecord<>("lag.events", i % 2, "k", "v" + i)).get();
        }
        commit("lag.berth-projector", Map.of(new TopicPartition("lag.events", 0), 2L, new TopicPartition("lag.events", 1), 5L));
        commit("someone-else", Map.of(new TopicPartition("lag.events", 0), 0L));

        var registry = new SimpleMeterRegistry();
        try (ConsumerLag lag = ConsumerLag.start(admin, "lag.", registry, Duration.ofHours(1))) {
            lag.measure();
            Gauge projector = registry.find("berth.consumer.lag.records").tags("group", "lag.berth-projector", "topic", "lag.events").gauge();
            // 5 records on each partition: 3 and 0 still to read
            assertEquals(3.0, projector.value());
            assertNull(registry.find("berth.consumer.lag.records").tag("group", "someone-else").gauge());

            commit("lag.berth-projector", Map.of(new TopicPartition("lag.events", 0), 5L));
            lag.measure();
            assertEquals(0.0, projector.value());
        }
    }

    private static void commit(String group, Map<TopicPartition, Long> offsets) {
        try (var consumer = new KafkaConsumer<>(KafkaClients.consumer(kafka.bootstrapServers(), group, group + "-client"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(Set.copyOf(offsets.keySet()));
            Map<TopicPartition, OffsetAndMetadata> commits = new java.util.HashMap<>();
            offsets.forEach((partition, offset) -> commits.put(partition, new OffsetAndMetadata(offset)));
            consumer.commitSync(commits);
        }
    }
}
