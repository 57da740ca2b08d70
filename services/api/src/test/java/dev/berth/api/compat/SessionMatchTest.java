package dev.berth.api.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.api.session.TestEvents;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SessionMatchTest {

    private static final Session ALPHA = named("1a2b3c4d-0000-4000-8000-000000000001", "alpha", SessionStatus.RUNNING, 0);
    private static final Session ALPHA_OLD = named("5e6f0000-0000-4000-8000-000000000002", "alpha", SessionStatus.TERMINATED, -60);
    private static final Session ALPINE = named("1a2b9999-0000-4000-8000-000000000003", "alpine", SessionStatus.PENDING, 10);
    private static final Session BETA_OLD = named("77770000-0000-4000-8000-000000000004", "beta", SessionStatus.CANCELLED, -30);
    private static final List<Session> ALL = List.of(ALPHA, ALPHA_OLD, ALPINE, BETA_OLD);

    @Test
    @DisplayName("API-23 the exact id wins, whatever its status")
    void exactId() {
        assertEquals(ALPHA_OLD, SessionMatch.one(ALPHA_OLD.getSessionId(), ALL));
        assertEquals(ALPHA_OLD, SessionMatch.one(ALPHA_OLD.getSessionId().toUpperCase(), ALL));
    }

    @Test
    @DisplayName("API-23 an exact name wins over prefix matches (alpha, not alpine); the live one over a dead one of the same name")
    void exactName() {
        assertEquals(ALPHA, SessionMatch.one("alpha", ALL));
        assertEquals(BETA_OLD, SessionMatch.one("beta", ALL), "only a dead one: still readable");
    }

    @Test
    @DisplayName("API-23 one id prefix or name prefix is the session; several are too-many-sessions-matched with {id, name, status, created_at}")
    void prefixes() {
        assertEquals(ALPINE, SessionMatch.one("1a2b9", ALL));
        assertEquals(ALPINE, SessionMatch.one("alpi", ALL));
        ProblemException many = assertThrows(ProblemException.class, () -> SessionMatch.one("1a2b", ALL));
        assertEquals(ProblemKind.TOO_MANY_SESSIONS_MATCHED, many.kind());
        assertEquals(404, many.kind().status());
        JsonArray matches = ((JsonObject) many.data()).getJsonArray("matches");
        assertEquals(2, matches.size());
        assertEquals(ALPINE.getSessionId(), matches.getJsonObject(0).getString("id"), "newest first");
        assertEquals("PENDING", matches.getJsonObject(0).getString("status"));
        assertTrue(matches.getJsonObject(0).containsKey("created_at"));
        ProblemException none = assertThrows(ProblemException.class, () -> SessionMatch.one("gamma", ALL));
        assertEquals(ProblemKind.SESSION_NOT_FOUND, none.kind());
    }

    @Test
    @DisplayName("API-23 a prefix prefers live sessions: 'alp' means the two live ones, not the dead alpha too")
    void prefixLiveFirst() {
        assertEquals(2, SessionMatch.matches("alp", ALL).size());
        assertEquals(List.of(ALPHA_OLD), SessionMatch.matches("5e6f", ALL));
    }

    private static Session named(String id, String name, SessionStatus status, long secondsFromNow) {
        Session base = TestEvents.session(id, "AK1", "default", "default", 1);
        return Session.newBuilder(base)
                .setSpec(dev.berth.schema.avro.SessionSpec.newBuilder(base.getSpec()).setName(name).build())
                .setStatus(status)
                .setCreatedAt(TestEvents.AT.plusSeconds(secondsFromNow))
                .build();
    }
}
