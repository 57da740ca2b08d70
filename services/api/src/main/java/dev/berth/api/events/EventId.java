package dev.berth.api.events;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SSE id of an event: how far its stream had read {@code session.events}, as
 * {@code <partition>-<offset>} for each partition, comma-separated, the event's own position first
 * ({@code 1-42,0-17}: this event is offset 42 of partition 1, and nothing after offset 17 of
 * partition 0 was sent before it). Offsets are Kafka's, so any API instance resumes from the id.
 * One position for the whole stream would not do: partitions have no order between them, so only a
 * position on each tells exactly which events of a project's stream a client has had.
 */
final class EventId {

    private static final Pattern ENTRY = Pattern.compile("(\\d{1,9})-(\\d{1,18})");

    private EventId() {}

    /** The event's own position, the same on every stream and instance. */
    static String of(int partition, long offset) {
        return partition + "-" + offset;
    }

    /** {@code passed} as an id: {@code first}'s entry, then the others by partition. */
    static String format(Map<Integer, Long> passed, int first) {
        StringBuilder id = new StringBuilder(of(first, passed.get(first)));
        passed.entrySet().stream()
                .filter(entry -> entry.getKey() != first)
                .sorted(Map.Entry.comparingByKey())
                .forEach(entry -> id.append(',').append(of(entry.getKey(), entry.getValue())));
        return id.toString();
    }

    /** The last offset passed per partition; the message of the exception says what is wrong. */
    static Map<Integer, Long> parse(String text) {
        Map<Integer, Long> passed = new HashMap<>();
        for (String entry : text.split(",", -1)) {
            Matcher matcher = ENTRY.matcher(entry.trim());
            if (!matcher.matches()) {
                throw new IllegalArgumentException("must be <partition>-<offset>[,<partition>-<offset>…] as an event's id, got \"" + text + "\"");
            }
            int partition = Integer.parseInt(matcher.group(1));
            if (passed.put(partition, Long.parseLong(matcher.group(2))) != null) {
                throw new IllegalArgumentException("names partition " + partition + " twice: \"" + text + "\"");
            }
        }
        return passed;
    }
}
