package dev.berth.cli.session;

import dev.berth.cli.ApiClient;
import java.time.Duration;
import java.util.function.Predicate;

/** Status changes seen by polling {@code GET /v1/sessions/{id}}: for --wait, and for events -f where the API has no event stream. */
final class StatusPolling {

    static final Duration INTERVAL = Duration.ofMillis(500);

    /** What to do between two polls: sleep, or draw a spinner meanwhile. */
    interface Pause {
        void pause(Duration length) throws InterruptedException;
    }

    private final ApiClient api;
    private final Pause pause;

    StatusPolling(ApiClient api, Pause pause) {
        this.api = api;
        this.pause = pause;
    }

    /**
     * Hands each change to {@code more} until it answers false; returns that change. The first poll
     * is a change unless the session is still in {@code seen} (null: nothing was shown yet).
     */
    SessionChange follow(String sessionId, String seen, Predicate<SessionChange> more) throws InterruptedException {
        while (true) {
            SessionChange change = SessionChange.polled(api.get(Sessions.path(sessionId)));
            if (!change.status().equals(seen)) {
                seen = change.status();
                if (!more.test(change)) return change;
            }
            pause.pause(INTERVAL);
        }
    }
}
