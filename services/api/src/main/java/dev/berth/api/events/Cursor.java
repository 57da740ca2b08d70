package dev.berth.api.events;

import dev.berth.api.session.EventFanOut.Published;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How far one stream has read {@code session.events}: the last offset passed on each partition.
 * Every record, sent or filtered out, moves it, so an id says exactly what the client has had and
 * a resume skips nothing and repeats nothing. A record at or before that offset has been passed
 * already: that is how a replay and the live records that arrived meanwhile meet without a duplicate.
 * Not thread-safe: its {@link Subscription} guards it.
 */
final class Cursor {

    private final Map<Integer, Long> passed;
    private final EventFilter filter;

    Cursor(Map<Integer, Long> from, EventFilter filter) {
        this.passed = new HashMap<>(from);
        this.filter = filter;
    }

    /** The frame to send for {@code record}, empty when it was passed already or is not for this stream. */
    Optional<Frame> next(Published record) {
        if (record.offset() <= passed.getOrDefault(record.partition(), -1L)) return Optional.empty();
        passed.put(record.partition(), record.offset());
        if (!filter.test(record.event().getSession())) return Optional.empty();
        return Optional.of(new Frame(EventId.format(passed, record.partition()), record));
    }
}
