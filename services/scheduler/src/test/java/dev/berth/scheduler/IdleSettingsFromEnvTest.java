package dev.berth.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.Env;
import dev.berth.topology.idle.Checker;
import dev.berth.topology.idle.IdleSettings;
import dev.berth.topology.idle.ThresholdOperator;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IdleSettingsFromEnvTest {

    @Test
    @DisplayName("IDL-04 without settings only session_lifetime runs, with SPEC's defaults")
    void defaults() {
        IdleSettings settings = IdleSettingsFromEnv.from(new Env(Map.of()));
        assertEquals(Set.of(Checker.SESSION_LIFETIME), settings.enabled());
        assertEquals(Duration.ofMinutes(10), settings.networkTimeout());
        assertEquals(Duration.ZERO, settings.userGracePeriod());
    }

    @Test
    @DisplayName("IDL-05 BERTH_IDLE takes a group's idle.* keys without the prefix; grace and interval have their own settings")
    void options() {
        IdleSettings settings = IdleSettingsFromEnv.from(new Env(Map.of(
                "BERTH_IDLE", " enabled=network_timeout, utilization ; network_timeout.threshold=2h;utilization.thresholds-check-operator=or;"
                        + "utilization.resource-thresholds.cpu_util=5",
                "BERTH_IDLE_USER_GRACE", "3d",
                "BERTH_IDLE_CHECK_INTERVAL", "15s")));
        assertEquals(Set.of(Checker.SESSION_LIFETIME, Checker.NETWORK_TIMEOUT, Checker.UTILIZATION), settings.enabled());
        assertEquals(Duration.ofHours(2), settings.networkTimeout());
        assertEquals(ThresholdOperator.OR, settings.utilization().operator());
        assertEquals(Map.of("cpu_util", 5.0), settings.utilization().thresholds());
        assertEquals(Duration.ofDays(3), settings.userGracePeriod());
        assertEquals(Duration.ofSeconds(15), settings.checkInterval());
    }

    @Test
    @DisplayName("a setting that does not parse stops the start, naming the key")
    void badInput() {
        for (var bad : Map.of("BERTH_IDLE", "enabled", "BERTH_IDLE_USER_GRACE", "soon", "BERTH_IDLE_CHECK_INTERVAL", "0").entrySet()) {
            var e = assertThrows(IllegalArgumentException.class, () -> IdleSettingsFromEnv.from(new Env(Map.of(bad.getKey(), bad.getValue()))));
            assertTrue(e.getMessage().contains(bad.getKey().equals("BERTH_IDLE") ? "BERTH_IDLE" : bad.getKey()), e.getMessage());
        }
        var unknown = assertThrows(IllegalArgumentException.class, () -> IdleSettingsFromEnv.from(new Env(Map.of("BERTH_IDLE", "enabled=sleepy"))));
        assertTrue(unknown.getMessage().contains("idle.enabled"), unknown.getMessage());
    }
}
