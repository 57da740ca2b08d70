package dev.berth.api.session;

/** Where the API notes a user's action on a session, for the idle checks (SPEC IDL-09). */
@FunctionalInterface
public interface ActivityLog {

    /** {@code action} in kebab-case: logs, stats, execute, app-connection, ... */
    void record(String sessionId, String accessKey, String action);
}
