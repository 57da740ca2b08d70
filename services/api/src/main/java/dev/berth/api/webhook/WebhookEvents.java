package dev.berth.api.webhook;

import dev.berth.schema.avro.SessionEvent;
import java.util.List;

/**
 * The lifecycle events webhooks tell (SPEC HOOK-01), named as HOOK-02 names them: the original's
 * event without its "session_" prefix. A subscription's filter lists some of {@link #NAMES}.
 */
public final class WebhookEvents {

    public static final List<String> NAMES = List.of("enqueued", "scheduled", "pulling", "preparing", "started", "restarting",
            "terminating", "terminated", "cancelled", "error", "success", "failure");

    private WebhookEvents() {}

    /**
     * The names one session event is told as, in the order they are sent. A batch session's end is
     * two events, as in the original: terminated, then success or failure. A rename and a waiting
     * session's new reason change no status and are not told.
     */
    public static List<String> of(SessionEvent event) {
        return switch (event.getKind()) {
            case ENQUEUED -> List.of("enqueued");
            case SCHEDULED -> List.of("scheduled");
            case PULLING -> List.of("pulling");
            case PREPARING -> List.of("preparing");
            case STARTED -> List.of("started");
            case RESTARTING -> List.of("restarting");
            case TERMINATING -> List.of("terminating");
            case TERMINATED -> switch (event.getSession().getResult()) {
                case SUCCESS -> List.of("terminated", "success");
                case FAILURE -> List.of("terminated", "failure");
                case UNDEFINED -> List.of("terminated");
            };
            case CANCELLED -> List.of("cancelled");
            case ERROR -> List.of("error");
            case RENAMED, WAITING -> List.of();
        };
    }
}
