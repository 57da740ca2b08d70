package dev.berth.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Topics: the catalogue every service creates and reads")
class TopicsTest {

    @Test
    @DisplayName("every name carries the prefix, and the prefix is kept for deriving application ids")
    void prefix() {
        // when
        Topics topics = Topics.withPrefix("t42.", 3);
        // then
        assertEquals("t42.", topics.prefix());
        for (Topics.Spec spec : topics.all()) {
            assertTrue(spec.name().startsWith("t42."), spec.name());
            assertTrue(spec.name().length() > "t42.".length(), spec.name());
        }
    }

    @Test
    @DisplayName("names are what the flow expects and all distinct")
    void names() {
        Topics topics = Topics.withPrefix("");
        assertEquals(List.of("session.requests", "session.admitted", "session.placements", "session.events",
                        "agent.heartbeats", "agent.commands", "kernel.events", "kernel.stats", "session.scheduling",
                        "config.keypairs", "config.limits", "config.scaling-groups", "dead-letters",
                        "session.activity", "usage.hourly", "usage.daily", "webhooks.dead-letters"),
                topics.all().stream().map(Topics.Spec::name).toList());
        assertEquals(topics.all().size(), topics.all().stream().map(Topics.Spec::name).collect(Collectors.toSet()).size());
    }

    @ParameterizedTest(name = "{0} partitions")
    @ValueSource(ints = {1, 3, 12})
    @DisplayName("all keyed topics share one partition count, so the streams joining them are co-partitioned")
    void copartitioned(int partitions) {
        // when
        Topics topics = Topics.withPrefix("p.", partitions);
        // then
        Set<Topics.Spec> keyed = topics.all().stream()
                .filter(spec -> spec != topics.deadLetters && spec != topics.webhookDeadLetters && !topics.config().contains(spec))
                .collect(Collectors.toSet());
        assertEquals(12, keyed.size());
        for (Topics.Spec spec : keyed) assertEquals(partitions, spec.partitions(), spec.name());
    }

    @Test
    @DisplayName("without a partition count the catalogue uses the default for every keyed topic")
    void defaultPartitions() {
        Topics topics = Topics.withPrefix("d.");
        assertEquals(Topics.DEFAULT_PARTITIONS, topics.sessionRequests.partitions());
        assertEquals(Topics.DEFAULT_PARTITIONS, topics.kernelEvents.partitions());
    }

    @Test
    @DisplayName("the dead-letter topic is in the catalogue, with one partition and a retention")
    void deadLetters() {
        Topics topics = Topics.withPrefix("x.", 6);
        assertTrue(topics.all().contains(topics.deadLetters));
        assertEquals("x.dead-letters", topics.deadLetters.name());
        assertEquals(1, topics.deadLetters.partitions());
        assertFalse(topics.deadLetters.retention().isZero());
    }

    @Test
    @DisplayName("HOOK webhook deliveries that used up their attempts have a dead-letter topic of their own, with one partition and a retention")
    void webhookDeadLetters() {
        Topics topics = Topics.withPrefix("x.", 6);
        assertTrue(topics.all().contains(topics.webhookDeadLetters));
        assertEquals("x.webhooks.dead-letters", topics.webhookDeadLetters.name());
        assertEquals(1, topics.webhookDeadLetters.partitions());
        assertFalse(topics.webhookDeadLetters.compacted());
        assertFalse(topics.webhookDeadLetters.retention().isZero());
    }

    @Test
    @DisplayName("every event topic has a positive retention, every topic a description")
    void shapes() {
        Topics topics = Topics.withPrefix("");
        for (Topics.Spec spec : topics.all()) {
            if (!topics.config().contains(spec)) assertTrue(spec.retention().toMillis() > 0, spec.name());
            assertFalse(spec.doc().isBlank(), spec.name());
        }
    }

    @Test
    @DisplayName("configuration topics are compacted, kept for ever and read whole from one partition")
    void configTopics() {
        Topics topics = Topics.withPrefix("c.", 6);
        assertEquals(3, topics.config().size());
        for (Topics.Spec spec : topics.config()) {
            assertTrue(spec.compacted(), spec.name());
            assertEquals(-1, spec.retention().toMillis(), spec.name());
            assertEquals(1, spec.partitions(), spec.name());
            assertTrue(topics.all().contains(spec), spec.name());
        }
    }

    @Test
    @DisplayName("a partition count below 1 is refused with the topic's name")
    void noPartitions() {
        var e = assertThrows(IllegalArgumentException.class, () -> Topics.withPrefix("z.", 0));
        assertTrue(e.getMessage().contains("z.session.requests"), e.getMessage());
    }
}
