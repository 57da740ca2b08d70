package dev.berth.common;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The start and stop of a thread that polls a Kafka consumer of its own and closes it when its loop ends. */
public final class PollingThreads {

    private static final Duration JOIN = Duration.ofSeconds(10);
    private static final Duration TOPIC_RETRY = Duration.ofMillis(500);
    private static final Logger log = LoggerFactory.getLogger(PollingThreads.class);

    private PollingThreads() {}

    /**
     * Waits for {@code topic} to exist (a fresh cluster may not have it yet), then assigns the
     * consumer every partition of it; empty when {@code running} turns false while waiting.
     */
    public static List<TopicPartition> assignAll(Consumer<?, ?> consumer, String topic, BooleanSupplier running)
            throws InterruptedException {
        boolean said = false;
        while (running.getAsBoolean()) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic);
            if (!infos.isEmpty()) {
                List<TopicPartition> partitions = infos.stream().map(info -> new TopicPartition(topic, info.partition())).toList();
                consumer.assign(partitions);
                return partitions;
            }
            if (!said) log.info("waiting for topic {} to exist", topic);
            said = true;
            Thread.sleep(TOPIC_RETRY);
        }
        return List.of();
    }

    /**
     * Wakes the consumer out of its poll and waits for the thread to finish; the caller has already
     * told its loop to stop. A thread that never started cannot close its consumer, so this does.
     */
    public static void stop(Consumer<?, ?> consumer, Thread thread) {
        if (thread.getState() == Thread.State.NEW) {
            consumer.close();
            return;
        }
        consumer.wakeup();
        try {
            thread.join(JOIN);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
