package dev.berth.scheduler;

import dev.berth.common.Env;
import dev.berth.topology.placement.PlacementOptions;
import dev.berth.topology.placement.PlacementOptions.GroupOptions;
import dev.berth.topology.placement.Policy;
import java.time.Duration;
import java.util.Map;

/**
 * Placement settings from the environment, for every scaling group alike until scaling groups
 * carry their own options:
 * <ul>
 *   <li>BERTH_SCHEDULER: fifo, lifo, drf or mof (fifo)</li>
 *   <li>BERTH_NUM_RETRIES_TO_SKIP: FIFO only; a session that failed this many passes lets later ones go first (0 = strict)</li>
 *   <li>BERTH_SCHEDULER_CONTINUE: true lets a pass go on past a session that does not fit (false, as SCH-16)</li>
 *   <li>BERTH_AGENT_STALE_AFTER: an agent silent this long gets no new work (40s)</li>
 *   <li>BERTH_AGENT_LOST_AFTER: an agent silent this long is lost; its sessions end in ERROR or are queued again (2m)</li>
 *   <li>BERTH_PENDING_TIMEOUT: a session pending this long is cancelled with pending-timeout (0 = never)</li>
 * </ul>
 */
public final class PlacementSettings {

    private PlacementSettings() {}

    public static PlacementOptions from(Env env) {
        Duration staleAfter = env.duration("BERTH_AGENT_STALE_AFTER", PlacementOptions.DEFAULTS.staleAfter());
        Duration pendingTimeout = env.duration("BERTH_PENDING_TIMEOUT", Duration.ZERO);
        Duration lostAfter = env.duration("BERTH_AGENT_LOST_AFTER", PlacementOptions.DEFAULTS.lostAfter());
        if (staleAfter.isZero() || staleAfter.isNegative()) throw new IllegalArgumentException("BERTH_AGENT_STALE_AFTER must be positive");
        if (lostAfter.compareTo(staleAfter) < 0) throw new IllegalArgumentException("BERTH_AGENT_LOST_AFTER must not be shorter than BERTH_AGENT_STALE_AFTER");
        if (pendingTimeout.isNegative()) throw new IllegalArgumentException("BERTH_PENDING_TIMEOUT must not be negative");
        Policy policy = Policy.parse(env.string("BERTH_SCHEDULER", "fifo"));
        int skip = env.integer("BERTH_NUM_RETRIES_TO_SKIP", 0, 0, 1_000_000);
        if (skip > 0) {
            if (!policy.equals(Policy.FIFO)) throw new IllegalArgumentException("BERTH_NUM_RETRIES_TO_SKIP applies to the fifo scheduler only");
            policy = Policy.fifo(skip);
        }
        String continueAfter = env.string("BERTH_SCHEDULER_CONTINUE", "false");
        if (!continueAfter.equals("true") && !continueAfter.equals("false")) {
            throw new IllegalArgumentException("BERTH_SCHEDULER_CONTINUE must be true or false, got \"" + continueAfter + "\"");
        }
        var group = new GroupOptions(policy, Boolean.parseBoolean(continueAfter), pendingTimeout);
        return new PlacementOptions(staleAfter, lostAfter, PlacementOptions.DEFAULTS.endedRetention(), group, Map.of());
    }
}
