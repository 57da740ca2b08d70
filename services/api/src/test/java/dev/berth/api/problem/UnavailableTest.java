package dev.berth.api.problem;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.net.SocketException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class UnavailableTest {

    @Test
    @DisplayName("a refused or lost connection and a PostgreSQL going down are a server away, however wrapped")
    void away() {
        assertTrue(Unavailable.is(new ConnectException("Connection refused: /127.0.0.1:15432")));
        assertTrue(Unavailable.is(new SocketException("Connection reset")));
        assertTrue(Unavailable.is(new CompletionException(new IllegalStateException("query failed", ClosedConnectionException.INSTANCE))));
        assertTrue(Unavailable.is(pg("57P01", "terminating connection due to administrator command")));
        assertTrue(Unavailable.is(pg("57P03", "the database system is shutting down")));
        assertTrue(Unavailable.is(pg("08006", "connection failure")));
    }

    @Test
    @DisplayName("a failed statement or a bug is not")
    void notAway() {
        assertFalse(Unavailable.is(pg("23505", "duplicate key value violates unique constraint")));
        assertFalse(Unavailable.is(pg("57014", "canceling statement due to statement timeout")));
        assertFalse(Unavailable.is(new IllegalStateException("a bug")));
        assertFalse(Unavailable.is(null));
    }

    private static PgException pg(String state, String message) {
        return new PgException(message, "FATAL", state, null);
    }
}
