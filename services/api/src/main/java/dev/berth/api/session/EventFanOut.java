package dev.berth.api.session;

import dev.berth.schema.avro.SessionEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The live tail of {@code session.events} for the API's event streams, fed by the view's thread with
 * each event right after the view took it in: each partition in offset order, so one session's events
 * in order (all of them are on its partition). The last {@code kept} events stay in memory, so that a
 * client reconnecting within moments resumes without reading Kafka. Nobody here waits for a
 * subscriber: one that cannot take an event says so and is dropped.
 */
public final class EventFanOut {

    /** One event of {@code session.events} and where it stands there. */
    public record Published(int partition, long offset, SessionEvent event) {}

    public interface Subscriber {
        /** Runs on the view's thread and must not block; false drops the subscriber. */
        boolean offer(Published record);
    }

    /**
     * Where a subscriber joined: the offset of the last event published on each partition, and the
     * kept events after the position it asked for; {@code kept} is null when it asked for none or
     * memory no longer reaches back that far.
     */
    public record Joined(Map<Integer, Long> reached, List<Published> kept) {}

    private final int capacity;
    private final ArrayDeque<Published> kept = new ArrayDeque<>();
    private final Map<Integer, Long> reached = new HashMap<>();
    /** The newest offset per partition that fell out of {@code kept}: a resume before it needs Kafka. */
    private final Map<Integer, Long> evicted = new HashMap<>();
    private final List<Subscriber> subscribers = new ArrayList<>();

    public EventFanOut(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("the fan-out keeps at least one event, got " + capacity);
        this.capacity = capacity;
    }

    synchronized void publish(Published record) {
        reached.put(record.partition(), record.offset());
        kept.addLast(record);
        if (kept.size() > capacity) {
            Published oldest = kept.removeFirst();
            evicted.put(oldest.partition(), oldest.offset());
        }
        subscribers.removeIf(subscriber -> !subscriber.offer(record));
    }

    /**
     * Adds {@code subscriber}, which gets every event published from now on. With {@code after}
     * (the last offset a client has passed per partition; a partition it does not name from its
     * beginning), also the kept events after it, if memory still reaches back there.
     */
    public synchronized Joined subscribe(Subscriber subscriber, Map<Integer, Long> after) {
        subscribers.add(subscriber);
        List<Published> replay = after == null || !reachesBack(evicted, after) ? null
                : kept.stream().filter(record -> record.offset() > after.getOrDefault(record.partition(), -1L)).toList();
        return new Joined(Map.copyOf(reached), replay);
    }

    public synchronized void unsubscribe(Subscriber subscriber) {
        subscribers.remove(subscriber);
    }

    /** Whether nothing after {@code after} was evicted: on every partition it has passed what fell out. */
    static boolean reachesBack(Map<Integer, Long> evicted, Map<Integer, Long> after) {
        return evicted.entrySet().stream().allMatch(dropped -> after.getOrDefault(dropped.getKey(), -1L) >= dropped.getValue());
    }
}
