package dev.berth.webhooks;

import java.time.Duration;

/** What becomes of a delivery after one try: decided from the try's result and the settings, nothing else. */
public final class Attempts {

    /** What one try came to. */
    public sealed interface Result {
        /** The receiver answered with this HTTP status. */
        record Answered(int status) implements Result {}

        /** No answer: a timeout, a refused connection, a TLS error... */
        record Failed(String error) implements Result {}

        /** Not sent: the URL is no longer allowed (the deny list changed since it was accepted). */
        record Refused(String problem) implements Result {}
    }

    /** What to do with the delivery now. */
    public sealed interface Outcome {
        /** A 2xx: done; the session's next event may go. */
        record Delivered() implements Outcome {}

        /** Try again after {@code delay}; the session's later events wait. */
        record Retry(Duration delay, String error) implements Outcome {}

        /** Give up: mark it failed, put it on webhooks.dead-letters; the session's next event may go. */
        record DeadLetter(String reason) implements Outcome {}
    }

    private Attempts() {}

    /** @param attempts tries made so far, this one included */
    public static Outcome decide(Result result, int attempts, WebhookSettings settings) {
        return switch (result) {
            case Result.Answered answered when answered.status() >= 200 && answered.status() < 300 -> new Outcome.Delivered();
            case Result.Answered answered -> failed("HTTP " + answered.status(), attempts, settings);
            case Result.Failed failed -> failed(failed.error(), attempts, settings);
            // trying again cannot help, and waiting would hold up the session's later events for nothing
            case Result.Refused refused -> new Outcome.DeadLetter("not sent: the URL " + refused.problem());
        };
    }

    private static Outcome failed(String error, int attempts, WebhookSettings settings) {
        if (attempts >= settings.attempts()) return new Outcome.DeadLetter(error);
        return new Outcome.Retry(Backoff.after(attempts, settings.backoff(), settings.maxBackoff()), error);
    }
}
