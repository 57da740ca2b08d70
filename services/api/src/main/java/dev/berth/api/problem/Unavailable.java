package dev.berth.api.problem;

import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.DatabaseException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;

/**
 * Whether a failure says that a server the API depends on is away or going away (refused or lost
 * connection, PostgreSQL shutting down or not yet up): a 503 the client may retry, not a 500.
 */
public final class Unavailable {

    private Unavailable() {}

    public static boolean is(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            // SocketException: refused (ConnectException), reset or broken on the way
            if (cause instanceof SocketException || cause instanceof ClosedConnectionException || cause instanceof ClosedChannelException) return true;
            if (cause instanceof DatabaseException database && awayState(database.getSqlState())) return true;
        }
        return false;
    }

    /** SQLSTATE class 08 (connection exception) and 57P01..57P03 (admin shutdown, crash shutdown, cannot connect now). */
    private static boolean awayState(String sqlState) {
        return sqlState != null && (sqlState.startsWith("08") || sqlState.equals("57P01") || sqlState.equals("57P02") || sqlState.equals("57P03"));
    }
}
