package dev.berth.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.common.ConsumerLag.GroupTopic;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ConsumerLagTest {

    private static final TopicPartition EVENTS_0 = new TopicPartition("session.events", 0);
    private static final TopicPartition EVENTS_1 = new TopicPartition("session.events", 1);
    private static final TopicPartition STATS_0 = new TopicPartition("kernel.stats", 0);

    @Test
    @DisplayName("lag is summed over a topic's partitions, per group")
    void sumsPerTopic() {
        var lag = ConsumerLag.perTopic(
                Map.of("projector", Map.of(EVENTS_0, 10L, EVENTS_1, 4L, STATS_0, 7L),
                        "webhooks", Map.of(EVENTS_0, 12L)),
                Map.of(EVENTS_0, 12L, EVENTS_1, 9L, STATS_0, 7L));
        assertEquals(Map.of(
                new GroupTopic("projector", "session.events"), 7L,
                new GroupTopic("projector", "kernel.stats"), 0L,
                new GroupTopic("webhooks", "session.events"), 0L), lag);
    }

    @Test
    @DisplayName("a committed offset past the end (a truncated topic) counts as no lag, not a negative one")
    void neverNegative() {
        var lag = ConsumerLag.perTopic(Map.of("g", Map.of(EVENTS_0, 30L)), Map.of(EVENTS_0, 20L));
        assertEquals(Map.of(new GroupTopic("g", "session.events"), 0L), lag);
    }

    @Test
    @DisplayName("a partition whose end offset is unknown is left out")
    void unknownEnd() {
        var lag = ConsumerLag.perTopic(Map.of("g", Map.of(EVENTS_0, 3L, EVENTS_1, 1L)), Map.of(EVENTS_1, 5L));
        assertEquals(Map.of(new GroupTopic("g", "session.events"), 4L), lag);
    }
}
