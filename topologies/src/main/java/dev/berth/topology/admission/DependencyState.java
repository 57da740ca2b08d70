package dev.berth.topology.admission;

/** Where a session another one depends on stands, as admission knows it (SCH-07). */
public enum DependencyState {
    /** Ended TERMINATED without a FAILURE result. */
    SUCCEEDED,
    /** Ended with result FAILURE, or CANCELLED, or in ERROR: the dependent session can never start. */
    FAILED,
    /** Queued, admitted or running. */
    UNFINISHED,
    /** Never seen in this domain, or ended longer ago than admission remembers. */
    UNKNOWN
}
