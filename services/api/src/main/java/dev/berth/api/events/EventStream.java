package dev.berth.api.events;

import dev.berth.api.session.EventFanOut;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's stream on its connection: answers {@code 200 text/event-stream}, writes the frames of
 * its {@link Subscription} as fast as the client reads them (never beyond a full write queue, so a
 * slow client holds at most its subscription's frames), sends a heartbeat comment, and unsubscribes
 * when the connection goes. Everything but the replay runs on the request's event loop.
 */
final class EventStream {

    private static final Logger log = LoggerFactory.getLogger(EventStream.class);

    private final Vertx vertx;
    private final Context context;
    private final HttpServerResponse response;
    private final EventFanOut fanOut;
    private final Subscription subscription;
    private final FrameFormat format;
    private long heartbeat = -1;

    EventStream(RoutingContext ctx, EventFanOut fanOut, EventFilter filter, int capacity, FrameFormat format) {
        this.format = format;
        this.vertx = ctx.vertx();
        this.context = vertx.getOrCreateContext();
        this.response = ctx.response();
        this.fanOut = fanOut;
        // an overflowing client is cut off; it resumes with the last id it got
        this.subscription = new Subscription(filter, capacity, () -> context.runOnContext(v -> drain()),
                () -> context.runOnContext(v -> response.reset()));
    }

    /** Starts the stream from now ({@code after} null) or right after {@code after}, replayed first. */
    void open(Map<Integer, Long> after, KafkaReplay kafka, Duration every) {
        response.setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .closeHandler(closed -> end());
        response.writeHead();
        heartbeat = vertx.setPeriodic(every.toMillis(), id -> keepAlive());
        EventFanOut.Joined joined = fanOut.subscribe(subscription, after);
        if (response.closed()) end(); // gone before the close handler was in place
        else if (after == null) subscription.start(joined.reached());
        else Thread.ofVirtual().name("berth-event-replay").start(() -> replay(after, joined, kafka));
    }

    private void replay(Map<Integer, Long> after, EventFanOut.Joined joined, KafkaReplay kafka) {
        try {
            if (joined.kept() != null) {
                subscription.replay(after, joined.kept().iterator());
            } else {
                try (KafkaReplay.Reader records = kafka.open(after, joined.reached(), subscription::isClosed)) {
                    subscription.replay(after, records);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            context.runOnContext(v -> response.reset());
        } catch (RuntimeException e) {
            log.warn("replay of session.events after {} failed; closing the stream", after, e);
            context.runOnContext(v -> response.reset());
        }
    }

    private void drain() {
        if (response.closed()) return;
        while (!response.writeQueueFull()) {
            Frame frame = subscription.poll();
            if (frame == null) return;
            String text = format.render(frame.id(), frame.record());
            // an event the format has no name for still moves the stream's position, unsent
            if (!text.isEmpty()) response.write(text);
        }
        response.drainHandler(drained -> drain());
    }

    private void keepAlive() {
        // a client that is behind has traffic enough
        if (!response.closed() && !response.writeQueueFull()) response.write(SseFrames.KEEP_ALIVE);
    }

    private void end() {
        vertx.cancelTimer(heartbeat);
        subscription.close();
        fanOut.unsubscribe(subscription);
    }
}
