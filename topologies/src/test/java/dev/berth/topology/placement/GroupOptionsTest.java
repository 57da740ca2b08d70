package dev.berth.topology.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.ScalingGroupConfig;
import dev.berth.topology.placement.PlacementOptions.GroupOptions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("GroupOptions from a scaling group's configuration (RES-07, ALG-01)")
class GroupOptionsTest {

    static {
        BerthSerdes.SCALING_GROUP_CONFIG.type(); // Avro builds Berth records only once BerthSerdes has trusted their package
    }

    private static ScalingGroupConfig config(String scheduler, Map<String, String> opts, long pendingTimeoutMs) {
        return ScalingGroupConfig.newBuilder().setName("g").setScheduler(scheduler).setSchedulerConfig(opts)
                .setPendingTimeoutMs(pendingTimeoutMs).build();
    }

    @Test
    @DisplayName("the scheduler by name, FIFO's num_retries_to_skip, continue_after_unplaceable and the pending timeout")
    void parses() {
        assertEquals(new GroupOptions(Policy.DRF, false, Duration.ofSeconds(30)), GroupOptions.from(config("drf", Map.of(), 30_000)));
        assertEquals(new GroupOptions(Policy.fifo(3), true, Duration.ZERO),
                GroupOptions.from(config("FIFO", Map.of("num_retries_to_skip", "3", "continue_after_unplaceable", "true"), 0)));
    }

    @Test
    @DisplayName("SCH-03/AMB-11 a session times out once now - created >= the timeout, not a millisecond earlier; zero never")
    void timedOut() {
        GroupOptions tenSeconds = GroupOptions.DEFAULTS.withPendingTimeout(Duration.ofSeconds(10));
        assertFalse(tenSeconds.timedOut(2_000, 11_999));
        assertTrue(tenSeconds.timedOut(2_000, 12_000));
        assertTrue(tenSeconds.timedOut(2_000, 60_000));
        assertFalse(GroupOptions.DEFAULTS.timedOut(0, Long.MAX_VALUE));
    }

    @Test
    @DisplayName("an unknown scheduler, num_retries_to_skip on another policy, or a non-boolean flag are refused")
    void refuses() {
        assertThrows(IllegalArgumentException.class, () -> GroupOptions.from(config("round-robin", Map.of(), 0)));
        assertThrows(IllegalArgumentException.class, () -> GroupOptions.from(config("lifo", Map.of("num_retries_to_skip", "1"), 0)));
        assertThrows(IllegalArgumentException.class, () -> GroupOptions.from(config("fifo", Map.of("num_retries_to_skip", "x"), 0)));
        assertThrows(IllegalArgumentException.class, () -> GroupOptions.from(config("fifo", Map.of("continue_after_unplaceable", "yes"), 0)));
        assertThrows(IllegalArgumentException.class, () -> GroupOptions.from(config("fifo", Map.of(), -1)));
    }
}
