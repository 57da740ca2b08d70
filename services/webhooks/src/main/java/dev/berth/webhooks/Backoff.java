package dev.berth.webhooks;

import java.time.Duration;

/** How long a delivery waits after a failed try: {@code base}, then doubled after every further failure, at most {@code max}. */
public final class Backoff {

    private Backoff() {}

    /** @param failures tries that failed so far, at least 1 */
    public static Duration after(int failures, Duration base, Duration max) {
        if (failures < 1) throw new IllegalArgumentException("failures must be >= 1, got " + failures);
        // past 2^30 any base is beyond every sane max; the cap keeps the shift from overflowing
        int doublings = Math.min(failures - 1, 30);
        Duration delay = base.multipliedBy(1L << doublings);
        return delay.compareTo(max) > 0 ? max : delay;
    }
}
