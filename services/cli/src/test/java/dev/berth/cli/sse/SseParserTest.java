package dev.berth.cli.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SseParserTest {

    private final SseParser parser = new SseParser();

    @Test
    @DisplayName("id, event and data lines make a frame, dispatched by the blank line")
    void frame() {
        List<SseFrame> frames = feed("id: 41", "event: session_started", "data: {\"kind\":\"started\"}", "");
        assertEquals(List.of(new SseFrame("41", "session_started", "{\"kind\":\"started\"}")), frames);
        assertEquals("41", parser.lastEventId());
    }

    @Test
    @DisplayName("keep-alive comments and fields without data dispatch nothing; several data lines join with \\n")
    void commentsAndMultiLineData() {
        assertEquals(List.of(), feed(": keep-alive", "", "event: session_started", ""));
        assertEquals(List.of(new SseFrame(null, "message", "first\nsecond\n")), feed("data:first", "data: second", "data", ""));
    }

    @Test
    @DisplayName("the last event id outlives frames without an id; an empty id resets it; one with NUL is ignored")
    void lastEventId() {
        feed("id: 7", "data: a", "");
        assertEquals(List.of(new SseFrame("7", "message", "b")), feed("data: b", ""));
        feed("id: 8\0", "data: c", "");
        assertEquals("7", parser.lastEventId());
        feed("id", "data: d", "");
        assertNull(parser.lastEventId());
    }

    @Test
    @DisplayName("retry sets the reconnection time when it is all digits")
    void retry() {
        assertEquals(Optional.empty(), parser.retry());
        feed("retry: 2500", "retry: soon");
        assertEquals(Optional.of(Duration.ofMillis(2500)), parser.retry());
    }

    @Test
    @DisplayName("a frame cut off by a dropped connection is dropped at the restart; the id seen stays")
    void restart() {
        feed("id: 3", "data: whole", "", "id: 4", "event: session_terminated", "data: half");
        parser.restart();
        assertEquals("4", parser.lastEventId());
        assertEquals(List.of(new SseFrame("4", "message", "next")), feed("data: next", ""));
    }

    @Test
    @DisplayName("a field name alone, an unknown field and a value without the space after the colon all read as the standard says")
    void fieldForms() {
        assertEquals(List.of(new SseFrame(null, "x", "1")), feed("event:x", "unknown: y", "data:1", ""));
    }

    private List<SseFrame> feed(String... lines) {
        List<SseFrame> frames = new ArrayList<>();
        for (String line : lines) parser.line(line).ifPresent(frames::add);
        return frames;
    }
}
