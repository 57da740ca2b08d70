package dev.berth.topology.idle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.schema.avro.KernelUtilization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("UtilizationCheck: windows, metrics and the AND/OR decision")
class UtilizationCheckTest {

    private static final long GIB = 1L << 30;

    @Test
    @DisplayName("IDL-13: the window is the policy's idle timeout when defined, sampled every 15 s")
    void window() {
        assertEquals(40, UtilizationCheck.windowSize(UtilizationSettings.DEFAULTS, IdlePolicy.NONE));
        assertEquals(4, UtilizationCheck.windowSize(UtilizationSettings.DEFAULTS, new IdlePolicy(60, 0)));
        assertEquals(0, UtilizationCheck.windowSize(UtilizationSettings.DEFAULTS, new IdlePolicy(0, 0)));
        assertEquals(Duration.ofMinutes(10), UtilizationCheck.window(UtilizationSettings.DEFAULTS, new IdlePolicy(-5, 0)));
    }

    @Test
    @DisplayName("IDL-16/17: only metrics with a threshold of a held slot family count; accelerators by family")
    void current() {
        var kernel = new KernelUtilization(1L, 0L, 50.0, GIB / 4, Map.of("cuda.shares", 30.0, "cuda.mem", 60.0, "atom.mem", 5.0));
        Map<String, Long> resources = Map.of("cpu", 500L, "mem", GIB, "cuda.shares", 1000L);
        Map<String, Double> current = UtilizationCheck.current(List.of(kernel), resources, Set.of("cpu_util", "mem", "cuda_util", "cuda_mem", "atom_mem"));
        assertEquals(Map.of("cpu_util", 100.0, "mem", 25.0, "cuda_util", 30.0, "cuda_mem", 60.0), current, "atom is not held");
    }

    @Test
    @DisplayName("IDL-17: a cluster's kernels are averaged")
    void clusterAverage() {
        var a = new KernelUtilization(1L, 0L, 10.0, 0L, Map.of());
        var b = new KernelUtilization(1L, 0L, 30.0, 0L, Map.of());
        assertEquals(Map.of("cpu_util", 20.0), UtilizationCheck.current(List.of(a, b), Map.of("cpu", 1000L), Set.of("cpu_util")));
    }

    @Test
    @DisplayName("IDL-19: undecided until a series holds more than a window; AND ends when no metric is sufficient, OR when one is not")
    void decision() {
        UtilizationSettings and = UtilizationSettings.DEFAULTS.withThresholds(Map.of("cpu_util", 10.0, "mem", 50.0));
        UtilizationSettings or = and.withOperator(ThresholdOperator.OR);
        Map<String, List<Double>> full = Map.of("cpu_util", List.of(99.0, 1.0, 2.0, 3.0), "mem", List.of(60.0, 60.0, 60.0, 60.0));
        assertFalse(UtilizationCheck.underused(full, and, 4), "four samples for a window of four: not yet");
        assertFalse(UtilizationCheck.underused(full, and, 3), "mem sufficient keeps it under AND");
        assertTrue(UtilizationCheck.underused(full, or, 3), "cpu under its threshold ends it under OR (the 99 fell out of the window)");
        assertFalse(UtilizationCheck.underused(Map.of(), and, 3), "nothing evaluated keeps it");
        assertFalse(UtilizationCheck.underused(full, UtilizationSettings.DEFAULTS, 3), "no thresholds keeps it");
    }

    @Test
    @DisplayName("IDL-17: the series keep the window plus one sample, the oldest dropped")
    void append() {
        Map<String, List<Double>> series = Map.of("cpu_util", List.of(1.0, 2.0, 3.0));
        assertEquals(Map.of("cpu_util", List.of(2.0, 3.0, 4.0)), UtilizationCheck.append(series, Map.of("cpu_util", 4.0), 2));
        assertEquals(3.5, UtilizationCheck.average(List.of(2.0, 3.0, 4.0), 2));
        assertEquals(0.0, UtilizationCheck.average(List.of(), 2));
    }
}
