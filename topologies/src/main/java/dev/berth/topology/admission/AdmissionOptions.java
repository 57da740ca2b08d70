package dev.berth.topology.admission;

import java.time.Duration;

/**
 * How admission behaves.
 *
 * @param recheckEvery     how often waiting sessions are checked again even if nothing they wait on
 *                         changed in this task: policy changes, start times and pending timeouts are
 *                         noticed this way
 * @param outcomeRetention how long the end of a session is remembered for sessions that depend on it
 */
public record AdmissionOptions(Duration recheckEvery, Duration outcomeRetention) {

    public static final AdmissionOptions DEFAULTS =
            new AdmissionOptions(Duration.ofSeconds(1), Duration.ofDays(7));

    public AdmissionOptions {
        if (!recheckEvery.isPositive()) throw new IllegalArgumentException("recheckEvery must be positive");
        if (!outcomeRetention.isPositive()) throw new IllegalArgumentException("outcomeRetention must be positive");
    }
}
