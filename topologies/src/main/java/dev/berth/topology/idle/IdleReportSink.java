package dev.berth.topology.idle;

import java.util.List;

/**
 * Where the idle topology leaves its reports for readers (Redis in production, SPEC IDL-07) and
 * tells which checker ended a session. Best effort and idempotent: a report is rewritten whenever
 * it changes and regularly while it does not.
 */
public interface IdleReportSink {

    IdleReportSink NONE = new IdleReportSink() {
        @Override
        public void write(String sessionId, List<IdleReport> reports) { }

        @Override
        public void clear(String sessionId) { }
    };

    /** The reports of every enabled checker of a live session. */
    void write(String sessionId, List<IdleReport> reports);

    /** The session ended or is no longer checked. */
    void clear(String sessionId);

    /** A checker found the session idle and it is being asked to end, once per session. */
    default void expired(String sessionId, Checker checker) { }
}
