package dev.berth.api.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EventQueryTest {

    private static final String ID = "6f1c1c0e-3c3b-4a53-9a39-1f0d1b4a9e21";

    @Test
    @DisplayName("a session or a project, from now unless an id is given")
    void reads() {
        assertEquals(new EventQuery(ID, null, null), EventQuery.of(ID, null, null, null));
        assertEquals(new EventQuery(null, "research", Map.of(0, 4L)), EventQuery.of(null, "research", "0-4", null));
        assertNull(EventQuery.of(ID, null, null, "").after(), "an empty Last-Event-ID is none");
    }

    @Test
    @DisplayName("Last-Event-ID wins over ?after=: a reconnecting browser sends its first URL and its last id")
    void headerWins() {
        assertEquals(Map.of(1, 9L, 0, 3L), EventQuery.of(ID, null, "0-1", "1-9,0-3").after());
    }

    @Test
    @DisplayName("ERR-02 neither or both of sessionId and project, a bad session id or a bad event id is a 400 naming the parameter")
    void refuses() {
        assertInvalid(() -> EventQuery.of(null, null, null, null), "exactly one of the parameters sessionId and project");
        assertInvalid(() -> EventQuery.of(ID, "research", null, null), "exactly one of the parameters sessionId and project");
        assertInvalid(() -> EventQuery.of("nope", null, null, null), "sessionId");
        assertInvalid(() -> EventQuery.of(null, " ", null, null), "project");
        assertInvalid(() -> EventQuery.of(ID, null, "zero", null), "after");
        assertInvalid(() -> EventQuery.of(ID, null, "0-1", "0-x"), "Last-Event-ID");
    }

    private static void assertInvalid(Runnable call, String named) {
        ProblemException e = assertThrows(ProblemException.class, call::run);
        assertEquals(ProblemKind.INVALID_API_PARAMS, e.kind());
        assertTrue(e.detail().contains(named), e.detail());
    }
}
