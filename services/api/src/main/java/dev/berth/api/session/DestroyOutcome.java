package dev.berth.api.session;

import dev.berth.schema.avro.SessionStatus;

/** What {@code DELETE /v1/sessions/{id}} does for a session in a given status (SPEC API-14). */
public enum DestroyOutcome {
    /** Write a DestroySession; the lifecycle cancels a PENDING session and terminates the others. */
    DESTROY,
    /** Answer 403 generic-forbidden: the session cannot be destroyed now. */
    FORBIDDEN,
    /** Answer 200 with the session as it is: destroying a dead session changes nothing. */
    ALREADY_DEAD;

    public static DestroyOutcome of(SessionStatus status, boolean forced) {
        return switch (status) {
            case PENDING, RUNNING, RESTARTING -> DESTROY;
            case PULLING -> FORBIDDEN;
            case SCHEDULED, PREPARING, TERMINATING, ERROR -> forced ? DESTROY : FORBIDDEN;
            case TERMINATED, CANCELLED -> ALREADY_DEAD;
        };
    }
}
