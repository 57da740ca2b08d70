package dev.berth.scheduler;

import dev.berth.common.Env;
import dev.berth.topology.idle.Durations;
import dev.berth.topology.idle.IdleSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The installation's idle-check settings (SPEC IDL-04/05/21) from the environment:
 * <ul>
 *   <li>BERTH_IDLE: {@code key=value} pairs separated by {@code ;}, with the keys a scaling group's
 *       {@code idle.*} options take, without the prefix, e.g.
 *       {@code enabled=network_timeout,utilization;network_timeout.threshold=10m;utilization.resource-thresholds.cpu_util=5}</li>
 *   <li>BERTH_IDLE_USER_GRACE: the new-user grace period (none by default)</li>
 *   <li>BERTH_IDLE_CHECK_INTERVAL: how often every live session is checked against the clock (1s)</li>
 * </ul>
 * A scaling group's own {@code idle.*} options override these, key by key.
 */
final class IdleSettingsFromEnv {

    private IdleSettingsFromEnv() {}

    static IdleSettings from(Env env) {
        Map<String, String> options = new LinkedHashMap<>();
        String text = env.string("BERTH_IDLE", "");
        for (String pair : text.split(";")) {
            if (pair.isBlank()) continue;
            int eq = pair.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("BERTH_IDLE: \"" + pair.trim() + "\" is not key=value");
            options.put(IdleSettings.GROUP_PREFIX + pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        Duration grace = duration(env, "BERTH_IDLE_USER_GRACE", Duration.ZERO);
        Duration interval = duration(env, "BERTH_IDLE_CHECK_INTERVAL", IdleSettings.DEFAULTS.checkInterval());
        if (!interval.isPositive()) throw new IllegalArgumentException("BERTH_IDLE_CHECK_INTERVAL must be positive");
        try {
            return IdleSettings.DEFAULTS.forGroup(options).withUserGracePeriod(grace).withCheckInterval(interval);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("BERTH_IDLE: " + e.getMessage(), e);
        }
    }

    private static Duration duration(Env env, String key, Duration fallback) {
        String text = env.string(key, "");
        if (text.isEmpty()) return fallback;
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
        }
    }
}
