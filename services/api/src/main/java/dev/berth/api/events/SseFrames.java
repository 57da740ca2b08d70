package dev.berth.api.events;

import dev.berth.api.session.EventFanOut.Published;
import dev.berth.api.session.SessionJson;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionEventKind;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/** The text of server-sent events: one frame per event, and the comment that keeps idle connections open. */
final class SseFrames {

    /** A comment: clients ignore it, proxies and load balancers see traffic. */
    static final String KEEP_ALIVE = ": keep-alive\n\n";

    private SseFrames() {}

    /** {@code id}, {@code event} and one {@code data} line: JSON escapes line breaks, so data is never split. */
    static String event(String id, Published record) {
        SessionEvent event = record.event();
        JsonObject data = new JsonObject()
                .put("eventId", EventId.of(record.partition(), record.offset()))
                .put("kind", event.getKind().name())
                .put("reason", event.getReason())
                .put("at", event.getAt().toString())
                .put("session", SessionJson.of(event.getSession()));
        return "id: " + id + "\nevent: " + name(event.getKind()) + "\ndata: " + data.encode() + "\n\n";
    }

    static String name(SessionEventKind kind) {
        return "session_" + kind.name().toLowerCase(Locale.ROOT);
    }
}
