package dev.berth.api.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EventIdTest {

    @Test
    @DisplayName("an id starts with the event's own position, then the other partitions in order")
    void format() {
        assertEquals("2-42,0-7,1-19,10-3", EventId.format(Map.of(0, 7L, 1, 19L, 2, 42L, 10, 3L), 2));
        assertEquals("0-0", EventId.format(Map.of(0, 0L), 0));
    }

    @Test
    @DisplayName("parsing gives back the position on every partition, whatever their order")
    void roundTrip() {
        Map<Integer, Long> passed = Map.of(0, 7L, 1, 19L, 2, 42L, 11, Long.MAX_VALUE / 10);

        assertEquals(passed, EventId.parse(EventId.format(passed, 1)));
        assertEquals(Map.of(3, 5L), EventId.parse("3-5"));
        assertEquals(Map.of(0, 1L, 1, 2L), EventId.parse("1-2, 0-1"));
    }

    @Test
    @DisplayName("an id that is not partition-offset pairs, or names a partition twice, is refused with the reason")
    void refuses() {
        for (String bad : new String[] {"", "7", "0-", "-1-5", "0-1,", "a-b", "0-1;1-2", "0:1", "1234567890-1", "0-1234567890123456789"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EventId.parse(bad), bad);
            assertTrue(e.getMessage().contains("<partition>-<offset>"), e.getMessage());
        }
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> EventId.parse("0-1,1-4,0-2"));
        assertTrue(twice.getMessage().contains("partition 0 twice"), twice.getMessage());
    }
}
