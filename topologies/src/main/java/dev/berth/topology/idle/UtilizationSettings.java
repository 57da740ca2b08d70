package dev.berth.topology.idle;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The utilization checker's options (SPEC IDL-12).
 *
 * @param timeWindow           the window averaged over, unless the keypair policy's idle timeout overrides it (IDL-13)
 * @param initialGracePeriod   how long after its creation a session is not sampled (IDL-15)
 * @param operator             how the metrics combine (IDL-19)
 * @param thresholds           average percent per metric (cpu_util, mem, cuda_util, cuda_mem, atom_mem); none = never ends a session
 * @param excludedSessionTypes session types never ended by this checker (INTERACTIVE, BATCH, INFERENCE)
 * @param sampleInterval       at most one sample per this interval (IDL-14)
 */
public record UtilizationSettings(Duration timeWindow, Duration initialGracePeriod, ThresholdOperator operator,
                                  Map<String, Double> thresholds, Set<String> excludedSessionTypes, Duration sampleInterval) {

    public static final Set<String> METRICS = Set.of("cpu_util", "mem", "cuda_util", "cuda_mem", "atom_mem");
    public static final UtilizationSettings DEFAULTS = new UtilizationSettings(Duration.ofMinutes(10), Duration.ofMinutes(5),
            ThresholdOperator.AND, Map.of(), Set.of(), Duration.ofSeconds(15));

    public UtilizationSettings {
        if (timeWindow.isNegative()) throw new IllegalArgumentException("time-window must not be negative");
        if (initialGracePeriod.isNegative()) throw new IllegalArgumentException("initial-grace-period must not be negative");
        if (!sampleInterval.isPositive()) throw new IllegalArgumentException("sample interval must be positive");
        thresholds.forEach((metric, value) -> {
            if (!METRICS.contains(metric)) throw new IllegalArgumentException("unknown utilization metric \"" + metric + "\"; known: " + METRICS);
            if (value == null || value.isNaN() || value < 0) throw new IllegalArgumentException("threshold of " + metric + " must be a percentage >= 0");
        });
        thresholds = Map.copyOf(thresholds);
        excludedSessionTypes = Set.copyOf(excludedSessionTypes);
    }

    public UtilizationSettings withTimeWindow(Duration window) {
        return new UtilizationSettings(window, initialGracePeriod, operator, thresholds, excludedSessionTypes, sampleInterval);
    }

    public UtilizationSettings withInitialGracePeriod(Duration grace) {
        return new UtilizationSettings(timeWindow, grace, operator, thresholds, excludedSessionTypes, sampleInterval);
    }

    public UtilizationSettings withOperator(ThresholdOperator op) {
        return new UtilizationSettings(timeWindow, initialGracePeriod, op, thresholds, excludedSessionTypes, sampleInterval);
    }

    public UtilizationSettings withThresholds(Map<String, Double> values) {
        return new UtilizationSettings(timeWindow, initialGracePeriod, operator, values, excludedSessionTypes, sampleInterval);
    }

    public UtilizationSettings withExcludedSessionTypes(Set<String> types) {
        return new UtilizationSettings(timeWindow, initialGracePeriod, operator, thresholds, types, sampleInterval);
    }
}
