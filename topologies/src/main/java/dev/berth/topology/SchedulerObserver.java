package dev.berth.topology;

import java.util.Map;

/**
 * What the scheduler's stages report for metrics, called on stream threads: implementations must
 * be quick and thread-safe. The default methods do nothing.
 */
public interface SchedulerObserver {

    SchedulerObserver NONE = new SchedulerObserver() {};

    /** A pass placed this many sessions of the group. */
    default void placed(String group, int sessions) {}

    /** The group's queue length after a pass. */
    default void queued(String group, int sessions) {}

    /**
     * The agent's own count of occupied slots minus what placement's ledger holds on it, per slot
     * whose values differ; empty when they agree.
     */
    default void drift(String agentId, Map<String, Long> drift) {}

    /** An agent fell silent for longer than lostAfter and was forgotten. */
    default void agentLost(String agentId) {}

    /** Admission let a session go to placement, or kept it waiting. */
    default void admission(boolean admitted) {}
}
