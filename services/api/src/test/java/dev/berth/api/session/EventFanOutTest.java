package dev.berth.api.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.api.session.EventFanOut.Published;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EventFanOutTest {

    @Test
    @DisplayName("a subscriber gets the events published after it joined, with the last offset per partition at the time")
    void live() {
        EventFanOut fanOut = new EventFanOut(10);
        fanOut.publish(TestEvents.published(0, 4, "a", 1));
        fanOut.publish(TestEvents.published(1, 9, "b", 1));
        List<Published> got = new ArrayList<>();

        EventFanOut.Joined joined = fanOut.subscribe(got::add, null);
        fanOut.publish(TestEvents.published(0, 5, "a", 2));

        assertEquals(Map.of(0, 4L, 1, 9L), joined.reached());
        assertNull(joined.kept(), "no resume asked for");
        assertEquals(List.of(5L), got.stream().map(Published::offset).toList());
    }

    @Test
    @DisplayName("a resume gets the kept events after its position on each partition, from the beginning on one it does not name")
    void keptAfter() {
        EventFanOut fanOut = new EventFanOut(10);
        fanOut.publish(TestEvents.published(0, 0, "a", 1));
        fanOut.publish(TestEvents.published(1, 0, "b", 1));
        fanOut.publish(TestEvents.published(0, 1, "a", 2));
        fanOut.publish(TestEvents.published(1, 1, "b", 2));

        List<Published> kept = fanOut.subscribe(record -> true, Map.of(0, 0L)).kept();

        assertEquals(List.of("1-0", "0-1", "1-1"), kept.stream().map(r -> r.partition() + "-" + r.offset()).toList());
    }

    @Test
    @DisplayName("once events after the position fell out of memory, the resume is told to read Kafka")
    void evicted() {
        EventFanOut fanOut = new EventFanOut(2);
        for (long offset = 0; offset < 4; offset++) fanOut.publish(TestEvents.published(0, offset, "a", offset));
        fanOut.publish(TestEvents.published(1, 0, "b", 1));

        assertNull(fanOut.subscribe(record -> true, Map.of(0, 0L)).kept(), "offsets 1 and 2 of partition 0 are gone");
        assertNull(fanOut.subscribe(record -> true, Map.of()).kept(), "from the beginning is gone too");
        assertEquals(List.of(3L, 0L), fanOut.subscribe(record -> true, Map.of(0, 2L)).kept().stream().map(Published::offset).toList());
    }

    @Test
    @DisplayName("memory reaches back to a position that has passed, on every partition, the newest event evicted there")
    void reachesBack() {
        assertTrue(EventFanOut.reachesBack(Map.of(), Map.of()));
        assertTrue(EventFanOut.reachesBack(Map.of(0, 5L, 1, 2L), Map.of(0, 5L, 1, 7L)));
        assertFalse(EventFanOut.reachesBack(Map.of(0, 5L, 1, 2L), Map.of(0, 4L, 1, 7L)));
        assertFalse(EventFanOut.reachesBack(Map.of(1, 0L), Map.of(0, 9L)), "partition 1 from its beginning: offset 0 is gone");
    }

    @Test
    @DisplayName("a subscriber that cannot take an event is dropped; the others go on")
    void dropsRefusing() {
        EventFanOut fanOut = new EventFanOut(10);
        List<Published> refused = new ArrayList<>();
        List<Published> taken = new ArrayList<>();
        fanOut.subscribe(record -> refused.add(record) && false, null);
        fanOut.subscribe(taken::add, null);

        fanOut.publish(TestEvents.published(0, 0, "a", 1));
        fanOut.publish(TestEvents.published(0, 1, "a", 2));

        assertEquals(1, refused.size(), "offered once, then gone");
        assertEquals(2, taken.size());
    }
}
