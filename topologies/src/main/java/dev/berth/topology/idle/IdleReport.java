package dev.berth.topology.idle;

import java.util.List;
import java.util.Map;

/**
 * One checker's view of one session at {@code at} (SPEC IDL-06/07/20). The remaining time counts
 * down towards {@code deadline}, so a reader computes it afresh at any moment without waiting for
 * the next stats sample; both are null when the checker does not apply (infinite).
 *
 * @param utilization for the utilization checker, the averages and thresholds of its last sample (IDL-18)
 */
public record IdleReport(Checker checker, Long deadline, long at, Utilization utilization) {

    /** The operator and, per metric, {@code [average, threshold]}, memory metrics in percent of the allocation. */
    public record Utilization(ThresholdOperator operator, Map<String, List<Double>> resources) {
        public Utilization {
            resources = Map.copyOf(resources);
        }
    }

    public static IdleReport infinite(Checker checker, long at) {
        return new IdleReport(checker, null, at, null);
    }

    /** Seconds left at {@code now}, or -1 once the deadline has passed (IDL-07); null when there is no deadline. */
    public Double remainingSeconds(long now) {
        return remainingSeconds(deadline, now);
    }

    public static Double remainingSeconds(Long deadline, long now) {
        if (deadline == null) return null;
        double remaining = (deadline - now) / 1000.0;
        return remaining <= 0 ? -1.0 : remaining;
    }
}
