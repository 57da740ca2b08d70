package dev.berth.topology.idle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("IdleSettings: the checkers' options and a scaling group's overrides")
class IdleSettingsTest {

    @Test
    @DisplayName("IDL-04: session_lifetime is always enabled; names are trimmed and the old name timeout means network_timeout")
    void enabled() {
        assertEquals(Set.of(Checker.SESSION_LIFETIME), IdleSettings.DEFAULTS.enabled());
        assertEquals(Set.of(Checker.NETWORK_TIMEOUT, Checker.UTILIZATION), IdleSettings.parseEnabled(" timeout , utilization,"));
        assertTrue(IdleSettings.DEFAULTS.withEnabled(EnumSet.of(Checker.UTILIZATION)).enabled().contains(Checker.SESSION_LIFETIME));
        var e = assertThrows(IllegalArgumentException.class, () -> IdleSettings.parseEnabled("network_timeout,sleepy"));
        assertTrue(e.getMessage().contains("sleepy"), e.getMessage());
    }

    @Test
    @DisplayName("IDL-10/12: the defaults are a 10 min network threshold, a 10 min window, a 5 min grace, AND, no thresholds")
    void defaults() {
        assertEquals(Duration.ofMinutes(10), IdleSettings.DEFAULTS.networkTimeout());
        assertEquals(Duration.ofMinutes(10), UtilizationSettings.DEFAULTS.timeWindow());
        assertEquals(Duration.ofMinutes(5), UtilizationSettings.DEFAULTS.initialGracePeriod());
        assertEquals(ThresholdOperator.AND, UtilizationSettings.DEFAULTS.operator());
        assertEquals(Map.of(), UtilizationSettings.DEFAULTS.thresholds());
    }

    @Test
    @DisplayName("a group's idle.* options override the installation's, other options are not ours")
    void groupOverrides() {
        IdleSettings settings = IdleSettings.DEFAULTS.forGroup(Map.of(
                "num_retries_to_skip", "3",
                "idle.enabled", "network_timeout,utilization",
                "idle.network_timeout.threshold", "2m",
                "idle.utilization.time-window", "1h",
                "idle.utilization.initial-grace-period", "90",
                "idle.utilization.thresholds-check-operator", "or",
                "idle.utilization.excluded-session-types", "batch, inference",
                "idle.utilization.resource-thresholds.cpu_util", "12.5"));
        assertEquals(Set.of(Checker.NETWORK_TIMEOUT, Checker.SESSION_LIFETIME, Checker.UTILIZATION), settings.enabled());
        assertEquals(Duration.ofMinutes(2), settings.networkTimeout());
        assertEquals(Duration.ofHours(1), settings.utilization().timeWindow());
        assertEquals(Duration.ofSeconds(90), settings.utilization().initialGracePeriod());
        assertEquals(ThresholdOperator.OR, settings.utilization().operator());
        assertEquals(Set.of("BATCH", "INFERENCE"), settings.utilization().excludedSessionTypes());
        assertEquals(Map.of("cpu_util", 12.5), settings.utilization().thresholds());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
            "idle.network_timeout.threshold, soon",
            "idle.utilization.thresholds-check-operator, xor",
            "idle.utilization.resource-thresholds.disk, 10",
            "idle.utilization.resource-thresholds.cpu_util, -1",
            "idle.utilization.excluded-session-types, cron",
            "idle.sleepiness, 3"})
    @DisplayName("an option that does not parse fails naming the key")
    void badOption(String key, String value) {
        var e = assertThrows(IllegalArgumentException.class, () -> IdleSettings.DEFAULTS.forGroup(Map.of(key, value)));
        assertTrue(e.getMessage().startsWith(key), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"90, 90000", "30s, 30000", "10m, 600000", "1.5h, 5400000", "3d, 259200000", "1w, 604800000"})
    @DisplayName("durations are plain seconds or a number with s, m, h, d or w")
    void durations(String text, long millis) {
        assertEquals(Duration.ofMillis(millis), Durations.parse(text));
    }
}
