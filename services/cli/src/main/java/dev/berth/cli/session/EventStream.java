package dev.berth.cli.session;

import dev.berth.cli.ApiClient;
import dev.berth.cli.Durations;
import dev.berth.cli.Paths;
import dev.berth.cli.sse.SseFrame;
import dev.berth.cli.sse.SseParser;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A session's events from {@code GET /v1/events/sessions?sessionId=ID}, as server-sent events.
 * When the connection drops or ends, it reconnects after the server's retry time (a second unless
 * it said otherwise) with Last-Event-ID, so that the server resumes after the last event seen. An
 * API without the stream answers 404 url-not-found: that {@link dev.berth.cli.ApiProblem} is the
 * caller's, which then polls instead.
 */
final class EventStream {

    static final String PATH = "/v1/events/sessions";
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final ApiClient api;
    private final PrintWriter err;

    EventStream(ApiClient api, PrintWriter err) {
        this.api = api;
        this.err = err;
    }

    /** Hands each event to {@code more} until it answers false; returns that event. */
    SessionChange follow(String sessionId, Predicate<SessionChange> more) throws InterruptedException {
        String path = Paths.withQuery(PATH, Map.of("sessionId", sessionId));
        SseParser parser = new SseParser();
        while (true) {
            String lost;
            try (Stream<String> lines = api.stream(path, parser.lastEventId())) {
                Iterator<String> stream = lines.iterator();
                while (stream.hasNext()) {
                    Optional<SseFrame> frame = parser.line(stream.next());
                    if (frame.isEmpty()) continue;
                    Optional<SessionChange> change = SessionChange.of(frame.get());
                    if (change.isEmpty()) {
                        notice("skipped event " + frame.get().event() + ": its data is not a session event");
                    } else if (!more.test(change.get())) {
                        return change.get();
                    }
                }
                lost = "the event stream ended";
            } catch (UncheckedIOException | ApiClient.Unreachable e) {
                lost = "the event stream dropped (" + e.getMessage() + ")";
            }
            parser.restart();
            Duration wait = parser.retry().orElse(RETRY);
            notice(lost + "; reconnecting in " + Durations.elapsed(wait)
                    + (parser.lastEventId() == null ? "" : " after event " + parser.lastEventId()));
            Thread.sleep(wait.toMillis());
        }
    }

    private void notice(String text) {
        err.println("berth: " + text);
        err.flush();
    }
}
