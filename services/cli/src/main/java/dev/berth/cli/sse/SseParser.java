package dev.berth.cli.sse;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A {@code text/event-stream} read line by line as the HTML standard's event stream interpretation
 * says: fields {@code id}, {@code event}, {@code data} (lines joined with \n) and {@code retry};
 * a line starting with ':' is a comment (the server's {@code : keep-alive}); a blank line
 * dispatches the event when it has data. The last event id outlives events and connections: it is
 * what a reconnect sends as Last-Event-ID.
 */
public final class SseParser {

    private static final Pattern MILLIS = Pattern.compile("\\d{1,9}");

    private String lastEventId = "";
    private Duration retry;
    private String event;
    private StringBuilder data;

    /** Feeds one line without its line end; an event when the line completed one. */
    public Optional<SseFrame> line(String line) {
        if (line.isEmpty()) return dispatch();
        if (line.startsWith(":")) return Optional.empty();
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) value = value.substring(1);
        switch (field) {
            case "event" -> event = value;
            case "data" -> {
                if (data == null) data = new StringBuilder(value);
                else data.append('\n').append(value);
            }
            case "id" -> {
                // the standard ignores an id holding NUL
                if (value.indexOf('\0') < 0) lastEventId = value;
            }
            case "retry" -> {
                if (MILLIS.matcher(value).matches()) retry = Duration.ofMillis(Long.parseLong(value));
            }
            default -> {
                // unknown fields are ignored, as the standard says
            }
        }
        return Optional.empty();
    }

    /** A new connection: an event cut off by the old one is dropped; the last event id and retry stay. */
    public void restart() {
        event = null;
        data = null;
    }

    /** What to send as Last-Event-ID; null before any id (or after an empty one, which resets it). */
    public String lastEventId() {
        return lastEventId.isEmpty() ? null : lastEventId;
    }

    /** How long the server asked clients to wait before reconnecting, if it did. */
    public Optional<Duration> retry() {
        return Optional.ofNullable(retry);
    }

    private Optional<SseFrame> dispatch() {
        Optional<SseFrame> frame = data == null ? Optional.empty()
                : Optional.of(new SseFrame(lastEventId(), event == null || event.isEmpty() ? "message" : event, data.toString()));
        restart();
        return frame;
    }
}
