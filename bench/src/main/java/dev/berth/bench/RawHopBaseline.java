package dev.berth.bench;

import dev.berth.common.KafkaClients;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The floor under every Berth figure: one produce→consume hop on the same broker, with the same
 * client settings Berth uses, at a paced rate. A placement takes several such hops plus commits.
 */
final class RawHopBaseline {

    record Result(double p50Ms, double p99Ms, int records) {}

    private RawHopBaseline() {}

    static Result run(String bootstrap, String topic, int records, int ratePerSecond) throws Exception {
        try (Admin admin = Admin.create(KafkaClients.admin(bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all().get();
        }
        Latencies latencies = new Latencies();
        try (var producer = new KafkaProducer<>(KafkaClients.producer(bootstrap, "bench-raw"), new ByteArraySerializer(), new ByteArraySerializer());
             var consumer = new KafkaConsumer<>(KafkaClients.consumer(bootstrap, null, "bench-raw"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new org.apache.kafka.common.TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            Thread sender = Thread.ofPlatform().start(() -> {
                long interval = 1_000_000_000L / ratePerSecond;
                long next = System.nanoTime();
                for (int i = 0; i < records; i++) {
                    while (System.nanoTime() < next) Thread.onSpinWait();
                    next += interval;
                    byte[] stamp = ByteBuffer.allocate(200).putLong(System.nanoTime()).array();
                    producer.send(new ProducerRecord<>(topic, Integer.toString(i).getBytes(), stamp));
                }
                producer.flush();
            });
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (latencies.count() < records && System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(50))) {
                    latencies.add(System.nanoTime() - ByteBuffer.wrap(record.value()).getLong());
                }
            }
            sender.join();
        }
        return new Result(latencies.percentileMs(50), latencies.percentileMs(99), latencies.count());
    }
}
