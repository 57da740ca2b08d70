package dev.berth.api.webhook;

import dev.berth.api.session.SessionJson;
import dev.berth.schema.avro.SessionEvent;
import io.vertx.core.json.JsonObject;

/**
 * The body of every webhook POST: SPEC HOOK-02's {@code type}, {@code event}, {@code session_id}
 * and {@code when}, plus the session as {@code GET /v1/sessions/{id}} shows it right after the
 * event, and the event's id (the same for every receiver, so that one receiver behind several
 * subscriptions can tell repeats apart).
 */
public final class WebhookPayload {

    public static final String TYPE = "session_lifecycle";

    private WebhookPayload() {}

    public static JsonObject of(SessionEvent event, String name, String eventId) {
        return new JsonObject()
                .put("type", TYPE)
                .put("event", name)
                .put("session_id", event.getSessionId())
                .put("when", event.getAt().toString())
                .put("event_id", eventId)
                .put("session", SessionJson.of(event.getSession()));
    }
}
