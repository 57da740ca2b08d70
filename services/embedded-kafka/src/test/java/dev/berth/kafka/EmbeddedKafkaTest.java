package dev.berth.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

    private static final Duration CONSUME_TIMEOUT = Duration.ofSeconds(30);

    // Tests 1 and 2 share one broker: starting it is the slow part.
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.startTemporary();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            Path dir = kafka.dataDir();
            kafka.close();
            kafka.close(); // idempotent
            assertFalse(Files.exists(dir), "a temporary broker deletes its directory on close");
        }
    }

    @Test
    void idempotentProducerAndConsumerGroupRoundTrip() throws Exception {
        assertEquals("127.0.0.1:" + kafka.port(), kafka.bootstrapServers());
        createTopic(kafka, "round-trip", 3);

        List<String> sent = IntStream.range(0, 100).mapToObj(i -> "value-" + i).toList();
        produce(kafka, "round-trip", sent);

        List<String> received = consume(kafka, "round-trip", "round-trip-group", false, sent.size());
        assertEquals(Set.copyOf(sent), Set.copyOf(received));
        assertEquals(sent.size(), received.size());
    }

    @Test
    void transactionalProducerIsVisibleToReadCommittedConsumer() throws Exception {
        createTopic(kafka, "transactions", 1);

        Map<String, Object> config = producerConfig(kafka);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-" + UUID.randomUUID());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("transactions", "k" + i, "committed-" + i));
            }
            producer.commitTransaction();
        }

        List<String> received = consume(kafka, "transactions", "tx-group", true, 10);
        assertEquals(IntStream.range(0, 10).mapToObj(i -> "committed-" + i).toList(), received);
    }

    @Test
    void restartOnSameDirectoryKeepsRecords(@TempDir Path dir) throws Exception {
        List<String> sent = IntStream.range(0, 20).mapToObj(i -> "durable-" + i).toList();
        int port;
        int controllerPort;
        try (EmbeddedKafka first = EmbeddedKafka.start(dir, 0, 0)) {
            port = first.port();
            controllerPort = first.controllerPort();
            createTopic(first, "durable", 2);
            produce(first, "durable", sent);
        }
        assertTrue(Files.exists(dir.resolve("meta.properties")), "close keeps the data directory");

        try (EmbeddedKafka second = EmbeddedKafka.start(dir, port, controllerPort)) {
            assertEquals(port, second.port());
            List<String> received = consume(second, "durable", "after-restart", false, sent.size());
            assertEquals(Set.copyOf(sent), Set.copyOf(received));
        }
    }

    private static void createTopic(EmbeddedKafka broker, String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
    }

    private static Map<String, Object> producerConfig(EmbeddedKafka broker) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return config;
    }

    private static void produce(EmbeddedKafka broker, String topic, List<String> values) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(broker))) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(topic, value, value));
            }
            producer.flush();
        }
    }

    /** Polls with a consumer group until {@code expected} records arrived or the deadline passed. */
    private static List<String> consume(EmbeddedKafka broker, String topic, String group, boolean readCommitted,
                                        int expected) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);

        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + CONSUME_TIMEOUT.toNanos();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(topic));
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
        }
        assertEquals(expected, values.size(), "records consumed from " + topic + " within " + CONSUME_TIMEOUT);
        return values;
    }
}
