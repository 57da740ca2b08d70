package dev.berth.topology.idle;

/**
 * The idle checkers, in registration order: when several find a session idle at once, the first
 * one's reason ends it (SPEC IDL-03).
 */
public enum Checker {
    /** No user action for the timeout (IDL-09/10); keeps the session while the remaining time is 0. */
    NETWORK_TIMEOUT("network_timeout", "idle-timeout", RemainingType.EXPIRE_AFTER),
    /** Older than the policy's maximum lifetime (IDL-11); ends it when the remaining time reaches 0. */
    SESSION_LIFETIME("session_lifetime", "idle-session-lifetime", RemainingType.EXPIRE_AFTER),
    /** Average utilization under the thresholds over a window, after a grace period (IDL-12..19). */
    UTILIZATION("utilization", "idle-utilization", RemainingType.GRACE_PERIOD);

    /** How a report's remaining time reads (IDL-20). */
    public enum RemainingType {
        EXPIRE_AFTER("expire_after"), GRACE_PERIOD("grace_period");

        public final String wire;

        RemainingType(String wire) {
            this.wire = wire;
        }
    }

    /** The name in configuration, Redis keys and the API. */
    public final String wire;
    /** The status reason of a session this checker ends (EVT-06). */
    public final String reason;
    public final RemainingType remainingType;

    Checker(String wire, String reason, RemainingType remainingType) {
        this.wire = wire;
        this.reason = reason;
        this.remainingType = remainingType;
    }

    public static Checker byWire(String name) {
        for (Checker checker : values()) if (checker.wire.equals(name)) return checker;
        throw new IllegalArgumentException("unknown idle checker \"" + name + "\"; known: network_timeout, session_lifetime, utilization");
    }
}
