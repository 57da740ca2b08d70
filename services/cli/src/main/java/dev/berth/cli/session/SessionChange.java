package dev.berth.cli.session;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Cells;
import dev.berth.cli.Json;
import dev.berth.cli.sse.SseFrame;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;

/**
 * One step of a session's life as {@code events -f} and {@code --wait} show it: from the event
 * stream, or seen by polling the session.
 *
 * @param at     when it happened (ISO-8601), null when unknown
 * @param kind   the event's kind (scheduled, started, terminated …), {@value #POLLED} when seen by polling
 * @param status the session's status after it
 * @param reason the status reason, null when none
 * @param json   what the server sent: the event's data, or the session
 */
record SessionChange(String at, String kind, String status, String reason, JsonNode json) {

    static final String POLLED = "status";
    static final String HEADER = row("AT", "EVENT", "STATUS", "REASON");
    private static final String EVENT_PREFIX = "session_";

    /**
     * A frame of {@code GET /v1/events/sessions}: {@code event: session_<kind>}, {@code data:
     * {"eventId", "kind", "reason", "at", "session": {...}}}. Empty for a frame that is not one.
     */
    static Optional<SessionChange> of(SseFrame frame) {
        JsonNode data = Json.parseOrNull(frame.data());
        if (data == null || !data.isObject() || !data.path("session").isObject()) return Optional.empty();
        String kind = data.hasNonNull("kind") ? data.path("kind").asText()
                : frame.event().startsWith(EVENT_PREFIX) ? frame.event().substring(EVENT_PREFIX.length()) : frame.event();
        JsonNode session = data.path("session");
        String reason = data.hasNonNull("reason") ? data.path("reason").asText() : text(session.path("statusInfo"));
        return Optional.of(new SessionChange(text(data.path("at")), kind, session.path("status").asText(), reason, data));
    }

    /** The session as {@code GET /v1/sessions/{id}} shows it; it entered its status when its status history says. */
    static SessionChange polled(JsonNode session) {
        String status = session.path("status").asText();
        return new SessionChange(text(session.path("statusHistory").path(status)), POLLED, status, text(session.path("statusInfo")), session);
    }

    /** The session itself: the last event's, or the polled one. */
    JsonNode session() {
        return kind.equals(POLLED) ? json : json.path("session");
    }

    boolean ended() {
        return Sessions.ENDED.contains(status);
    }

    /** A line under {@link #HEADER}; columns are fixed because a stream cannot know its widest cell. */
    String line() {
        return row(shortTime(at), kind, status, reason == null ? Cells.NOTHING : reason);
    }

    private static String row(String at, String kind, String status, String reason) {
        return String.format(Locale.ROOT, "%-20s   %-12s   %-11s   %s", at, kind, status, reason).stripTrailing();
    }

    /** To the second: the microseconds of an event time only widen the column. */
    private static String shortTime(String at) {
        if (at == null) return Cells.NOTHING;
        try {
            return Instant.parse(at).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException e) {
            return at;
        }
    }

    private static String text(JsonNode value) {
        return value.isValueNode() && !value.isNull() ? value.asText() : null;
    }
}
