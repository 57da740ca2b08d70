package dev.berth.api.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.api.session.EventFanOut.Published;
import dev.berth.api.session.SessionJson;
import dev.berth.api.session.TestEvents;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionEventKind;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SseFramesTest {

    @Test
    @DisplayName("an event is id, event and one data line with the event and its session as GET shows it, then a blank line")
    void event() {
        Session session = TestEvents.session("s1", "AK1", "default", "p", 3);
        Published record = new Published(1, 42, TestEvents.event(session, SessionEventKind.CANCELLED, "user-requested\nsecond line"));

        String text = SseFrames.event("1-42,0-7", record);

        String[] lines = text.split("\n", -1);
        assertEquals(5, lines.length, text);
        assertEquals("id: 1-42,0-7", lines[0]);
        assertEquals("event: session_cancelled", lines[1]);
        assertTrue(lines[2].startsWith("data: {"), lines[2]);
        assertEquals("", lines[3] + lines[4], "a blank line ends the event");
        JsonObject data = new JsonObject(lines[2].substring("data: ".length()));
        assertEquals(new JsonObject()
                .put("eventId", "1-42")
                .put("kind", "CANCELLED")
                .put("reason", "user-requested\nsecond line")
                .put("at", "2026-11-20T10:00:00.123Z")
                .put("session", SessionJson.of(session)), data);
    }

    @Test
    @DisplayName("event names are session_ and the kind in lower case; the heartbeat is a comment")
    void names() {
        assertEquals("session_started", SseFrames.name(SessionEventKind.STARTED));
        assertEquals("session_waiting", SseFrames.name(SessionEventKind.WAITING));
        assertEquals(": keep-alive\n\n", SseFrames.KEEP_ALIVE);
    }
}
