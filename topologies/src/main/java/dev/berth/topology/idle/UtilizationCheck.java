package dev.berth.topology.idle;

import dev.berth.schema.Slots;
import dev.berth.schema.avro.KernelUtilization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The utilization checker's arithmetic (SPEC IDL-13..19), pure. Metrics: {@code cpu_util} is the
 * kernel's cpu percent over its allocated cores (100 = every allocated core busy), {@code mem} its
 * memory over its allocated memory; accelerator metrics come from the stats' accelerator map, a key
 * {@code <family>.mem} giving {@code <family>_mem} and any other {@code <family>.*} giving
 * {@code <family>_util}. Only metrics with a threshold whose slot family the session holds count.
 */
public final class UtilizationCheck {

    private UtilizationCheck() {}

    /** The window the averages cover: the policy's idle timeout if it defines one, else the setting (IDL-13). */
    public static Duration window(UtilizationSettings settings, IdlePolicy policy) {
        return policy.idleTimeoutSeconds() >= 0 ? Duration.ofSeconds(policy.idleTimeoutSeconds()) : settings.timeWindow();
    }

    /** How many samples the window holds; 0 or less means the checker never ends the session. */
    public static long windowSize(UtilizationSettings settings, IdlePolicy policy) {
        return window(settings, policy).toMillis() / settings.sampleInterval().toMillis();
    }

    /** Until when the session is not sampled (IDL-15). */
    public static long graceEnd(long createdAt, Long userGraceEnd, UtilizationSettings settings) {
        long start = userGraceEnd == null ? createdAt : Math.max(userGraceEnd, createdAt);
        return start + settings.initialGracePeriod().toMillis();
    }

    /** Slot families the session holds (IDL-16): the part of each slot name before the first dot, if its amount is above 0. */
    public static Set<String> families(Map<String, Long> resources) {
        return resources.entrySet().stream()
                .filter(e -> e.getValue() != null && e.getValue() > 0)
                .map(e -> family(e.getKey()))
                .collect(Collectors.toSet());
    }

    private static String family(String slotOrMetric) {
        int dot = slotOrMetric.indexOf('.');
        int underscore = slotOrMetric.indexOf('_');
        int end = dot >= 0 ? dot : underscore >= 0 ? underscore : slotOrMetric.length();
        return slotOrMetric.substring(0, end);
    }

    /**
     * The utilization now, per counted metric, averaged over the given kernels (IDL-17); a metric no
     * kernel reports (an accelerator the agent does not measure) is left out.
     */
    public static Map<String, Double> current(Collection<KernelUtilization> kernels, Map<String, Long> resources, Set<String> thresholdMetrics) {
        Set<String> held = families(resources);
        Map<String, List<Double>> readings = new HashMap<>();
        long cpu = resources.getOrDefault(Slots.CPU, 0L);
        long mem = resources.getOrDefault(Slots.MEM, 0L);
        for (KernelUtilization kernel : kernels) {
            readings.computeIfAbsent("cpu_util", k -> new ArrayList<>()).add(cpu > 0 ? kernel.getCpuPercent() * 1000.0 / cpu : kernel.getCpuPercent());
            readings.computeIfAbsent("mem", k -> new ArrayList<>()).add(mem > 0 ? kernel.getMemBytes() * 100.0 / mem : 0.0);
            kernel.getAccelerators().forEach((key, value) -> {
                if (value == null || value.isNaN()) return;
                String fam = family(key);
                String metric = key.endsWith(".mem") ? fam + "_mem" : fam + "_util";
                readings.computeIfAbsent(metric, k -> new ArrayList<>()).add(value);
            });
        }
        Map<String, Double> current = new TreeMap<>();
        readings.forEach((metric, values) -> {
            if (thresholdMetrics.contains(metric) && held.contains(family(metric))) {
                current.put(metric, values.stream().mapToDouble(Double::doubleValue).average().orElse(0));
            }
        });
        return current;
    }

    /** The series with this sample appended, each kept to the window plus one sample (the oldest dropped). */
    public static Map<String, List<Double>> append(Map<String, List<Double>> series, Map<String, Double> sample, long windowSize) {
        Map<String, List<Double>> next = new TreeMap<>();
        series.forEach((metric, values) -> next.put(metric, new ArrayList<>(values)));
        sample.forEach((metric, value) -> {
            List<Double> values = next.computeIfAbsent(metric, k -> new ArrayList<>());
            values.add(value);
            while (values.size() > windowSize + 1) values.removeFirst();
        });
        return next;
    }

    /** The average of the newest {@code windowSize} values; 0 for none (IDL-18). */
    public static double average(List<Double> values, long windowSize) {
        int from = (int) Math.max(0, values.size() - windowSize);
        return values.subList(from, values.size()).stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    /**
     * Whether the session is underused (IDL-19): only once every counted series holds more than a
     * window of samples; with AND when no metric reaches its threshold, with OR when one does not.
     */
    public static boolean underused(Map<String, List<Double>> series, UtilizationSettings settings, long windowSize) {
        if (windowSize <= 0) return false;
        Map<String, List<Double>> counted = counted(series, settings);
        if (counted.isEmpty()) return false;
        for (List<Double> values : counted.values()) if (values.size() <= windowSize) return false;
        long sufficient = counted.entrySet().stream()
                .filter(e -> average(e.getValue(), windowSize) >= settings.thresholds().get(e.getKey()))
                .count();
        return switch (settings.operator()) {
            case AND -> sufficient == 0;
            case OR -> sufficient < counted.size();
        };
    }

    /** IDL-18: per counted metric, {@code [average, threshold]}. */
    public static IdleReport.Utilization extra(Map<String, List<Double>> series, UtilizationSettings settings, long windowSize) {
        Map<String, List<Double>> resources = new TreeMap<>();
        counted(series, settings).forEach((metric, values) ->
                resources.put(metric, List.of(average(values, windowSize), settings.thresholds().get(metric))));
        return new IdleReport.Utilization(settings.operator(), resources);
    }

    private static Map<String, List<Double>> counted(Map<String, List<Double>> series, UtilizationSettings settings) {
        Map<String, List<Double>> counted = new TreeMap<>();
        series.forEach((metric, values) -> {
            if (settings.thresholds().containsKey(metric) && !values.isEmpty()) counted.put(metric, values);
        });
        return counted;
    }
}
