package dev.berth.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.Env;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PlacementSettingsTest {

    @Test
    @DisplayName("SCH-03 the pending timeout is off unless set, and applies to every scaling group when set")
    void pendingTimeout() {
        assertEquals(Duration.ZERO, PlacementSettings.from(new Env(Map.of())).group("default").pendingTimeout());
        var options = PlacementSettings.from(new Env(Map.of("BERTH_PENDING_TIMEOUT", "5m", "BERTH_AGENT_STALE_AFTER", "10s")));
        assertEquals(Duration.ofMinutes(5), options.group("any-group").pendingTimeout());
        assertEquals(Duration.ofSeconds(10), options.staleAfter());
    }

    @Test
    @DisplayName("ALG-03..07 the scheduler policy is chosen by name; FIFO by default, strict and stopping at the first misfit (SCH-16)")
    void policy() {
        var defaults = PlacementSettings.from(new Env(Map.of())).group("default");
        assertEquals(dev.berth.topology.placement.Policy.FIFO, defaults.policy());
        assertEquals(false, defaults.continueAfterUnplaceable());
        var drf = PlacementSettings.from(new Env(Map.of("BERTH_SCHEDULER", "DRF", "BERTH_SCHEDULER_CONTINUE", "true"))).group("g");
        assertEquals(dev.berth.topology.placement.Policy.DRF, drf.policy());
        assertTrue(drf.continueAfterUnplaceable());
        var e = assertThrows(IllegalArgumentException.class, () -> PlacementSettings.from(new Env(Map.of("BERTH_SCHEDULER", "random"))));
        assertTrue(e.getMessage().contains("fifo, lifo, drf, mof"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> PlacementSettings.from(new Env(Map.of("BERTH_SCHEDULER", "lifo", "BERTH_NUM_RETRIES_TO_SKIP", "2"))));
    }

    @Test
    @DisplayName("bad values name their setting")
    void badValues() {
        var e = assertThrows(IllegalArgumentException.class, () -> PlacementSettings.from(new Env(Map.of("BERTH_PENDING_TIMEOUT", "soon"))));
        assertTrue(e.getMessage().startsWith("BERTH_PENDING_TIMEOUT"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PlacementSettings.from(new Env(Map.of("BERTH_AGENT_STALE_AFTER", "0s"))));
    }
}
