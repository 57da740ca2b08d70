package dev.berth.cli.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cli.Json;
import dev.berth.cli.sse.SseFrame;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SessionChangeTest {

    @Test
    @DisplayName("a session_<kind> frame reads as its time, kind, the session's status and the reason")
    void fromEvent() {
        SessionChange change = SessionChange.of(new SseFrame("7", "session_terminated", """
                {"eventId": "e7", "kind": "terminated", "reason": "self-terminated", "at": "2026-11-25T11:28:02.123456Z",
                 "session": {"sessionId": "9f1c", "status": "TERMINATED"}}""")).orElseThrow();
        assertEquals("TERMINATED", change.status());
        assertTrue(change.ended());
        assertEquals("9f1c", change.session().path("sessionId").asText());
        assertEquals("2026-11-25T11:28:02Z   terminated     TERMINATED    self-terminated", change.line());
    }

    @Test
    @DisplayName("without a kind in the data, the event's name says it; a frame that is no session event is none")
    void kindFromName() {
        SessionChange change = SessionChange.of(new SseFrame(null, "session_started", "{\"session\": {\"status\": \"RUNNING\"}}")).orElseThrow();
        assertEquals("started", change.kind());
        assertEquals("-                      started        RUNNING       -", change.line());
        assertTrue(SessionChange.of(new SseFrame(null, "message", "hello")).isEmpty());
        assertTrue(SessionChange.of(new SseFrame(null, "message", "{\"kind\": \"x\"}")).isEmpty());
    }

    @Test
    @DisplayName("a polled session entered its status when its status history says")
    void polled() throws Exception {
        SessionChange change = SessionChange.polled(Json.parse("""
                {"sessionId": "9f1c", "status": "RUNNING", "statusInfo": null,
                 "statusHistory": {"PENDING": "2026-11-25T11:28:00Z", "RUNNING": "2026-11-25T11:28:01.5Z"}}"""));
        assertEquals("2026-11-25T11:28:01Z   status         RUNNING       -", change.line());
        assertEquals("9f1c", change.session().path("sessionId").asText());
    }

    @Test
    @DisplayName("--wait shows a line per change with the time since the create, and on a terminal a spinner")
    void progress() {
        SessionChange terminated = new SessionChange(null, "status", "TERMINATED", "self-terminated", null);
        assertEquals("TERMINATED     2.1s   self-terminated", Progress.line(terminated, Duration.ofMillis(2100)));
        assertEquals("PENDING        0.0s", Progress.line(new SessionChange(null, "status", "PENDING", null, null), Duration.ZERO));
        assertEquals("/ PENDING 1.2s", Progress.spinner(1, "PENDING", Duration.ofMillis(1200)));
        assertEquals("| PENDING 1.2s", Progress.spinner(4, "PENDING", Duration.ofMillis(1200)));
    }
}
