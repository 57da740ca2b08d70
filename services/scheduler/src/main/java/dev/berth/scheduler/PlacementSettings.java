package dev.berth.scheduler;

import dev.berth.common.Env;
import dev.berth.topology.placement.PlacementOptions;
import dev.berth.topology.placement.PlacementOptions.GroupOptions;
import java.time.Duration;
import java.util.Map;

/**
 * Placement settings from the environment, for every scaling group alike until scaling groups
 * carry their own options:
 * <ul>
 *   <li>BERTH_AGENT_STALE_AFTER: an agent silent this long gets no new work (40s)</li>
 *   <li>BERTH_PENDING_TIMEOUT: a session pending this long is cancelled with pending-timeout (0 = never)</li>
 * </ul>
 */
public final class PlacementSettings {

    private PlacementSettings() {}

    public static PlacementOptions from(Env env) {
        Duration staleAfter = env.duration("BERTH_AGENT_STALE_AFTER", PlacementOptions.DEFAULTS.staleAfter());
        Duration pendingTimeout = env.duration("BERTH_PENDING_TIMEOUT", Duration.ZERO);
        if (staleAfter.isZero() || staleAfter.isNegative()) throw new IllegalArgumentException("BERTH_AGENT_STALE_AFTER must be positive");
        if (pendingTimeout.isNegative()) throw new IllegalArgumentException("BERTH_PENDING_TIMEOUT must not be negative");
        return new PlacementOptions(staleAfter, PlacementOptions.DEFAULTS.endedRetention(), new GroupOptions(pendingTimeout), Map.of());
    }
}
