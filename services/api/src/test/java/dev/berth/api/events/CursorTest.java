package dev.berth.api.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.api.session.EventFanOut.Published;
import dev.berth.api.session.TestEvents;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CursorTest {

    @Test
    @DisplayName("each frame's id is the stream's position after it; events of other sessions move it too")
    void ids() {
        Cursor cursor = new Cursor(Map.of(0, 9L), new EventFilter.OfSession("a"));

        List<String> ids = Stream.of(
                        TestEvents.published(1, 0, "a", 1),
                        TestEvents.published(0, 10, "b", 1),
                        TestEvents.published(1, 1, "a", 2),
                        TestEvents.published(0, 11, "a", 1))
                .map(cursor::next).flatMap(Optional::stream).map(Frame::id).toList();

        assertEquals(List.of("1-0,0-9", "1-1,0-10", "0-11,1-1"), ids);
    }

    @Test
    @DisplayName("an event at or before the position was had already: a replay and the live events it overlaps meet without a duplicate")
    void dropsPassed() {
        Cursor cursor = new Cursor(Map.of(0, 5L), new EventFilter.OfSession("a"));
        Published live = TestEvents.published(0, 6, "a", 2);

        assertEquals(Optional.empty(), cursor.next(TestEvents.published(0, 5, "a", 1)), "the resume's own event");
        assertEquals("0-6", cursor.next(live).orElseThrow().id());
        assertEquals(Optional.empty(), cursor.next(live), "the same event once more, from the other source");
        assertEquals("0-7", cursor.next(TestEvents.published(0, 7, "a", 3)).orElseThrow().id());
    }

    @Test
    @DisplayName("a partition the position does not name is read from its beginning")
    void unnamedFromBeginning() {
        Cursor cursor = new Cursor(Map.of(), new EventFilter.OfSession("a"));

        assertEquals("3-0", cursor.next(TestEvents.published(3, 0, "a", 1)).orElseThrow().id());
    }
}
