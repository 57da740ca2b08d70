package dev.berth.topology.idle;

import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * How the idle checks run (SPEC IDL-04/05/21), for the whole installation; a scaling group may
 * override any of it with {@code idle.*} entries of its scheduler options ({@link #forGroup}).
 *
 * @param enabled          the checkers that run; session_lifetime always does (IDL-04)
 * @param networkTimeout   network_timeout's threshold, when the keypair policy leaves it undefined (IDL-10)
 * @param utilization      the utilization checker's options
 * @param userGracePeriod  how long after a user is first seen their sessions are not ended (IDL-21); zero = none
 * @param checkInterval    how often every live session is checked against the wall clock
 * @param reportRefresh    an unchanged report is written again this often, so that its Redis entry never expires
 */
public record IdleSettings(Set<Checker> enabled, Duration networkTimeout, UtilizationSettings utilization,
                           Duration userGracePeriod, Duration checkInterval, Duration reportRefresh) {

    /** The prefix of a scaling group's scheduler options that concern idle checks. */
    public static final String GROUP_PREFIX = "idle.";

    public static final IdleSettings DEFAULTS = new IdleSettings(EnumSet.of(Checker.SESSION_LIFETIME), Duration.ofMinutes(10),
            UtilizationSettings.DEFAULTS, Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(30));

    public IdleSettings {
        EnumSet<Checker> all = EnumSet.of(Checker.SESSION_LIFETIME);
        all.addAll(enabled);
        enabled = Set.copyOf(all);
        if (networkTimeout.isNegative()) throw new IllegalArgumentException("network_timeout threshold must not be negative");
        if (userGracePeriod.isNegative()) throw new IllegalArgumentException("user grace period must not be negative");
        if (!checkInterval.isPositive()) throw new IllegalArgumentException("check interval must be positive");
        if (!reportRefresh.isPositive()) throw new IllegalArgumentException("report refresh must be positive");
    }

    public boolean hasUserGrace() {
        return userGracePeriod.isPositive();
    }

    /** Comma-separated checker names, whitespace trimmed (IDL-04); the old name "timeout" means network_timeout. */
    public static Set<Checker> parseEnabled(String text) {
        Set<Checker> checkers = new LinkedHashSet<>();
        for (String part : text.split(",")) {
            String name = part.trim();
            if (name.isEmpty()) continue;
            checkers.add(Checker.byWire(name.equals("timeout") ? "network_timeout" : name));
        }
        return checkers;
    }

    /**
     * These settings with a scaling group's overrides: {@code idle.enabled},
     * {@code idle.network_timeout.threshold}, {@code idle.utilization.time-window},
     * {@code idle.utilization.initial-grace-period}, {@code idle.utilization.thresholds-check-operator},
     * {@code idle.utilization.excluded-session-types} and {@code idle.utilization.resource-thresholds.<metric>}.
     * A value that does not parse fails with the key's name.
     */
    public IdleSettings forGroup(Map<String, String> options) {
        IdleSettings settings = this;
        UtilizationSettings util = utilization;
        Map<String, Double> thresholds = null;
        for (var entry : options.entrySet()) {
            String key = entry.getKey();
            if (!key.startsWith(GROUP_PREFIX)) continue;
            String value = entry.getValue();
            try {
                switch (key) {
                    case "idle.enabled" -> settings = settings.withEnabled(parseEnabled(value));
                    case "idle.network_timeout.threshold" -> settings = settings.withNetworkTimeout(Durations.parse(value));
                    case "idle.utilization.time-window" -> util = util.withTimeWindow(Durations.parse(value));
                    case "idle.utilization.initial-grace-period" -> util = util.withInitialGracePeriod(Durations.parse(value));
                    case "idle.utilization.thresholds-check-operator" -> util = util.withOperator(ThresholdOperator.parse(value));
                    case "idle.utilization.excluded-session-types" -> util = util.withExcludedSessionTypes(sessionTypes(value));
                    default -> {
                        String metricPrefix = "idle.utilization.resource-thresholds.";
                        if (!key.startsWith(metricPrefix)) throw new IllegalArgumentException("unknown option");
                        Map<String, Double> one = Map.of(key.substring(metricPrefix.length()), Double.parseDouble(value.trim()));
                        util.withThresholds(one); // validates the metric and the value here, where the key is known
                        if (thresholds == null) thresholds = new HashMap<>(util.thresholds());
                        thresholds.putAll(one);
                    }
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + "=\"" + value + "\": " + e.getMessage(), e);
            }
        }
        if (thresholds != null) util = util.withThresholds(thresholds);
        return settings.withUtilization(util);
    }

    public IdleSettings withEnabled(Set<Checker> checkers) {
        return new IdleSettings(checkers, networkTimeout, utilization, userGracePeriod, checkInterval, reportRefresh);
    }

    public IdleSettings withNetworkTimeout(Duration threshold) {
        return new IdleSettings(enabled, threshold, utilization, userGracePeriod, checkInterval, reportRefresh);
    }

    public IdleSettings withUtilization(UtilizationSettings util) {
        return new IdleSettings(enabled, networkTimeout, util, userGracePeriod, checkInterval, reportRefresh);
    }

    public IdleSettings withUserGracePeriod(Duration grace) {
        return new IdleSettings(enabled, networkTimeout, utilization, grace, checkInterval, reportRefresh);
    }

    public IdleSettings withCheckInterval(Duration interval) {
        return new IdleSettings(enabled, networkTimeout, utilization, userGracePeriod, interval, reportRefresh);
    }

    public IdleSettings withReportRefresh(Duration refresh) {
        return new IdleSettings(enabled, networkTimeout, utilization, userGracePeriod, checkInterval, refresh);
    }

    static Set<String> sessionTypes(String text) {
        Set<String> types = new LinkedHashSet<>();
        for (String part : text.split(",")) {
            String type = part.trim().toUpperCase(java.util.Locale.ROOT);
            if (type.isEmpty()) continue;
            if (!Set.of("INTERACTIVE", "BATCH", "INFERENCE").contains(type)) {
                throw new IllegalArgumentException("session types are interactive, batch and inference");
            }
            types.add(type);
        }
        return types;
    }
}
