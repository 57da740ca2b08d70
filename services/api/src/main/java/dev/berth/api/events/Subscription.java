package dev.berth.api.events;

import dev.berth.api.session.EventFanOut;
import dev.berth.api.session.EventFanOut.Published;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;

/**
 * One stream between the threads that read {@code session.events} and the connection that writes
 * it: a {@link Cursor} and at most {@code capacity} frames waiting for the client.
 *
 * <p>Live events come on the view's thread, which must never wait: when the client has
 * {@code capacity} frames waiting, the stream overflows and the connection is closed, and the client
 * resumes with its last id while the view and every other stream go on. A resume first replays, on a
 * thread of its own, waiting for the client to take frames; live events that arrive meanwhile are
 * held (as many as {@code capacity}), and the cursor drops those the replay already sent.
 */
final class Subscription implements EventFanOut.Subscriber {

    private final EventFilter filter;
    private final int capacity;
    private final Runnable wake;
    private final Runnable overflowed;
    private final ArrayDeque<Frame> frames = new ArrayDeque<>();
    private final ArrayDeque<Published> held = new ArrayDeque<>();
    private Cursor cursor;
    private boolean holding = true;
    private boolean woken;
    private boolean closed;

    /**
     * @param wake       called when frames wait and the writer was told of none; {@link #poll} until null
     * @param overflowed called once, on the view's thread, when the client fell too far behind
     */
    Subscription(EventFilter filter, int capacity, Runnable wake, Runnable overflowed) {
        if (capacity < 1) throw new IllegalArgumentException("a stream holds at least one frame, got " + capacity);
        this.filter = filter;
        this.capacity = capacity;
        this.wake = wake;
        this.overflowed = overflowed;
    }

    @Override
    public synchronized boolean offer(Published record) {
        if (closed) return false;
        if (holding) {
            if (filter.test(record.event().getSession())) held.add(record);
            return held.size() <= capacity || overflow();
        }
        cursor.next(record).ifPresent(this::add);
        return frames.size() <= capacity || overflow();
    }

    /** Goes live from {@code from}, with nothing to replay; never waits, as nothing is queued yet. */
    synchronized void start(Map<Integer, Long> from) {
        cursor = new Cursor(from, filter);
        held.forEach(record -> cursor.next(record).ifPresent(this::add));
        held.clear();
        holding = false;
    }

    /**
     * Sends {@code records} after {@code from}, then the held live events, then goes live. Blocks
     * while the client has {@code capacity} frames to take; returns early once the stream is closed.
     */
    void replay(Map<Integer, Long> from, Iterator<Published> records) throws InterruptedException {
        synchronized (this) {
            cursor = new Cursor(from, filter);
        }
        while (!isClosed() && records.hasNext()) {
            if (!put(records.next())) return;
        }
        while (true) {
            synchronized (this) {
                Published next = held.poll();
                if (next == null) {
                    // under the lock that offer takes: no live event slips between the held and the live
                    holding = false;
                    return;
                }
                if (!put(next)) return;
            }
        }
    }

    /** The next frame to write; null when there is none, and the next one wakes the writer again. */
    synchronized Frame poll() {
        Frame frame = frames.poll();
        if (frame == null) woken = false;
        else if (holding) notifyAll(); // a replay may wait for room
        return frame;
    }

    synchronized void close() {
        closed = true;
        notifyAll();
    }

    synchronized boolean isClosed() {
        return closed;
    }

    private synchronized boolean put(Published record) throws InterruptedException {
        while (!closed && frames.size() >= capacity) wait();
        if (closed) return false;
        cursor.next(record).ifPresent(this::add);
        return true;
    }

    private void add(Frame frame) {
        frames.add(frame);
        if (!woken) {
            woken = true;
            wake.run();
        }
    }

    private boolean overflow() {
        close();
        overflowed.run();
        return false;
    }
}
