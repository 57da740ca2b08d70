package dev.berth.api.events;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.api.session.EventFanOut.Published;
import dev.berth.api.session.TestEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SubscriptionTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private final AtomicInteger wakes = new AtomicInteger();
    private final AtomicInteger overflows = new AtomicInteger();

    @Test
    @DisplayName("a client with a full buffer overflows: the live event is refused at once, the stream closed, the view never waits")
    void overflows() {
        Subscription subscription = subscription(2);
        subscription.start(Map.of());

        assertTrue(subscription.offer(event(0)));
        assertTrue(subscription.offer(event(1)));
        assertFalse(subscription.offer(event(2)), "a third frame for a client that took none");
        assertFalse(subscription.offer(event(3)));

        assertEquals(1, overflows.get());
        assertTrue(subscription.isClosed());
    }

    @Test
    @DisplayName("the writer is woken once until it has taken every frame")
    void wakesOnce() {
        Subscription subscription = subscription(10);
        subscription.start(Map.of());

        subscription.offer(event(0));
        subscription.offer(event(1));
        assertEquals(1, wakes.get());
        assertEquals(List.of(0L, 1L), drain(subscription));
        subscription.offer(event(2));

        assertEquals(2, wakes.get());
    }

    @Test
    @DisplayName("live events that arrive during a replay are held and follow it, without those the replay sent")
    void replayThenHeld() throws Exception {
        Subscription subscription = subscription(10);
        subscription.offer(event(3));
        subscription.offer(event(4));

        subscription.replay(Map.of(0, 1L), List.of(event(2), event(3)).iterator());
        subscription.offer(event(5));

        assertEquals(List.of(2L, 3L, 4L, 5L), drain(subscription));
        assertEquals(0, overflows.get());
    }

    @Test
    @DisplayName("a stream from now sends the live events that came while it started, from the position it joined at")
    void startReleasesHeld() {
        Subscription subscription = subscription(10);
        subscription.offer(event(7));

        subscription.start(Map.of(0, 6L));

        assertEquals(List.of(7L), drain(subscription));
    }

    @Test
    @DisplayName("a replay longer than the buffer waits for the client instead of overflowing")
    void replayWaits() {
        Subscription subscription = subscription(1);
        List<Published> history = new ArrayList<>();
        for (long offset = 0; offset < 5; offset++) history.add(event(offset));
        Thread replay = Thread.ofVirtual().start(() -> {
            try {
                subscription.replay(Map.of(), history.iterator());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        List<Long> taken = new CopyOnWriteArrayList<>();
        await().atMost(DEADLINE).until(() -> {
            Frame frame = subscription.poll();
            if (frame != null) taken.add(frame.record().offset());
            return taken.size() == 5;
        });

        await().atMost(DEADLINE).until(() -> !replay.isAlive());
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), taken);
        assertEquals(0, overflows.get());
    }

    @Test
    @DisplayName("a replay stops when the client goes")
    void replayStopsWhenClosed() throws Exception {
        Subscription subscription = subscription(10);
        Iterator<Published> endless = new Iterator<>() {
            private long offset;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Published next() {
                if (offset == 3) subscription.close();
                return event(offset++);
            }
        };

        subscription.replay(Map.of(), endless);

        assertEquals(List.of(0L, 1L, 2L), drain(subscription));
        assertFalse(subscription.offer(event(9)), "closed: the fan-out drops it");
    }

    @Test
    @DisplayName("too many live events held during a replay overflow as well")
    void heldOverflows() {
        Subscription subscription = subscription(1);

        assertTrue(subscription.offer(event(0)));
        assertFalse(subscription.offer(event(1)));
        assertEquals(1, overflows.get());
    }

    private Subscription subscription(int capacity) {
        return new Subscription(new EventFilter.OfSession("a"), capacity, wakes::incrementAndGet, overflows::incrementAndGet);
    }

    private static Published event(long offset) {
        return TestEvents.published(0, offset, "a", offset + 1);
    }

    private static List<Long> drain(Subscription subscription) {
        List<Long> offsets = new ArrayList<>();
        for (Frame frame = subscription.poll(); frame != null; frame = subscription.poll()) offsets.add(frame.record().offset());
        assertNull(subscription.poll());
        return offsets;
    }
}
