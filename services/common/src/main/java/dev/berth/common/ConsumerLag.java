package dev.berth.common;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code berth_consumer_lag_records{group,topic}}: how many committed records each of Berth's
 * consumer groups (the Streams applications, projectors, webhook dispatcher) has still to read,
 * summed over a topic's partitions. Measured from committed offsets, so it is what a restart would
 * have to read again, for every group whose id starts with the topic prefix and {@code berth-}.
 */
public final class ConsumerLag implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConsumerLag.class);
    /** Often enough for an alarm, rare enough to cost the brokers nothing. */
    public static final Duration INTERVAL = Duration.ofSeconds(10);

    private final Admin admin;
    private final String groupPrefix;
    private final MeterRegistry registry;
    private final Map<GroupTopic, AtomicLong> gauges = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("berth-consumer-lag").daemon().factory());

    public record GroupTopic(String group, String topic) {}

    private ConsumerLag(Admin admin, String groupPrefix, MeterRegistry registry) {
        this.admin = admin;
        this.groupPrefix = groupPrefix;
        this.registry = registry;
    }

    /** Measures now and then every {@code interval}; the admin client stays the caller's. */
    public static ConsumerLag start(Admin admin, String topicPrefix, MeterRegistry registry, Duration interval) {
        ConsumerLag lag = new ConsumerLag(admin, topicPrefix + "berth-", registry);
        lag.timer.scheduleWithFixedDelay(lag::measureQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return lag;
    }

    /**
     * Records behind per group and topic. A partition a group never committed on is left out: its
     * lag depends on a reset policy the group may not have yet, and counting it would alarm on
     * every fresh deployment.
     */
    public static Map<GroupTopic, Long> perTopic(Map<String, Map<TopicPartition, Long>> committed,
                                                 Map<TopicPartition, Long> ends) {
        Map<GroupTopic, Long> lag = new HashMap<>();
        committed.forEach((group, offsets) -> offsets.forEach((partition, offset) -> {
            Long end = ends.get(partition);
            if (end == null) return;
            lag.merge(new GroupTopic(group, partition.topic()), Math.max(0, end - offset), Long::sum);
        }));
        return lag;
    }

    private void measureQuietly() {
        try {
            measure();
        } catch (Exception e) {
            // the broker is away; the last values stay, and Kafka's own health check says why
            log.debug("consumer lag not measured: {}", e.toString());
        }
    }

    /** One measurement, visible in the registry when this returns. */
    public void measure() throws Exception {
        List<String> groups = admin.listGroups().all().get(10, TimeUnit.SECONDS).stream()
                .map(listing -> listing.groupId())
                .filter(id -> id.startsWith(groupPrefix))
                .toList();
        if (groups.isEmpty()) return;
        Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
        groups.forEach(group -> specs.put(group, new ListConsumerGroupOffsetsSpec()));
        var result = admin.listConsumerGroupOffsets(specs);
        Map<String, Map<TopicPartition, Long>> committed = new HashMap<>();
        for (String group : groups) {
            Map<TopicPartition, OffsetAndMetadata> offsets = result.partitionsToOffsetAndMetadata(group).get(10, TimeUnit.SECONDS);
            Map<TopicPartition, Long> positions = new HashMap<>();
            offsets.forEach((partition, offset) -> {
                if (offset != null) positions.put(partition, offset.offset());
            });
            committed.put(group, positions);
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.values().forEach(offsets -> offsets.keySet().forEach(partition -> latest.put(partition, OffsetSpec.latest())));
        Map<TopicPartition, Long> ends = new HashMap<>();
        // the last stable offset: a transaction still open is not yet there to be read
        admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(10, TimeUnit.SECONDS)
                .forEach((partition, info) -> ends.put(partition, info.offset()));
        perTopic(committed, ends).forEach((key, value) -> gauge(key).set(value));
    }

    private AtomicLong gauge(GroupTopic key) {
        return gauges.computeIfAbsent(key, k -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("berth.consumer.lag.records", value, AtomicLong::get)
                    .tags("group", k.group(), "topic", k.topic())
                    .description("Committed records a consumer group has yet to read, over a topic's partitions")
                    .register(registry);
            return value;
        });
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
