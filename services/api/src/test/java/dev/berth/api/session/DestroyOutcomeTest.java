package dev.berth.api.session;

import static dev.berth.api.session.DestroyOutcome.ALREADY_DEAD;
import static dev.berth.api.session.DestroyOutcome.DESTROY;
import static dev.berth.api.session.DestroyOutcome.FORBIDDEN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.schema.avro.SessionStatus;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DestroyOutcomeTest {

    @ParameterizedTest(name = "{0}: {1} unforced, {2} forced")
    @CsvSource({
            "PENDING,     DESTROY,      DESTROY",
            "RUNNING,     DESTROY,      DESTROY",
            "RESTARTING,  DESTROY,      DESTROY",
            "PULLING,     FORBIDDEN,    FORBIDDEN",
            "SCHEDULED,   FORBIDDEN,    DESTROY",
            "PREPARING,   FORBIDDEN,    DESTROY",
            "TERMINATING, FORBIDDEN,    DESTROY",
            "ERROR,       FORBIDDEN,    DESTROY",
            "TERMINATED,  ALREADY_DEAD, ALREADY_DEAD",
            "CANCELLED,   ALREADY_DEAD, ALREADY_DEAD"})
    @DisplayName("API-14 destroy is forbidden while PULLING, needs forced in transitional states, is a no-op when dead")
    void outcomeByStatus(SessionStatus status, DestroyOutcome unforced, DestroyOutcome forced) {
        assertEquals(unforced, DestroyOutcome.of(status, false));
        assertEquals(forced, DestroyOutcome.of(status, true));
    }
}
