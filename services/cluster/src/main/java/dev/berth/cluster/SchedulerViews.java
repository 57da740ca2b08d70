package dev.berth.cluster;

import static dev.berth.cluster.ConfigKeys.*;

import dev.berth.topology.idle.IdleSettings;
import dev.berth.topology.placement.PlacementOptions;
import dev.berth.topology.placement.PlacementOptions.GroupOptions;
import dev.berth.topology.placement.Policy;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** The scheduler's and idle checks' settings as the configuration gives them (pure). */
public final class SchedulerViews {

    private SchedulerViews() {}

    /**
     * Placement: {@code scheduler.*} for every group, and for each group with any
     * {@code scheduler.group.<name>.*} key, those keys over the cluster-wide ones. Such a group's
     * options replace its scheduler options from PostgreSQL (config.scaling-groups) as a whole.
     */
    public static PlacementOptions placement(ConfigValues values) {
        GroupOptions defaults = new GroupOptions(policy(values.get(SCHEDULER_POLICY), values.get(SCHEDULER_SKIP)),
                values.get(SCHEDULER_CONTINUE), values.get(SCHEDULER_PENDING_TIMEOUT));
        TreeSet<String> groups = new TreeSet<>();
        for (ConfigKey<?> family : java.util.List.of(GROUP_POLICY, GROUP_SKIP, GROUP_CONTINUE, GROUP_PENDING_TIMEOUT)) {
            groups.addAll(values.members(family));
        }
        Map<String, GroupOptions> overrides = new TreeMap<>();
        for (String group : groups) {
            String policy = values.get(GROUP_POLICY, group).orElse(values.get(SCHEDULER_POLICY));
            // the cluster-wide skip is FIFO's; a group with another policy has none to inherit
            int inherited = policy.equals(values.get(SCHEDULER_POLICY)) ? values.get(SCHEDULER_SKIP) : 0;
            int skip = values.get(GROUP_SKIP, group).orElse(inherited);
            overrides.put(group, new GroupOptions(policy(policy, skip),
                    values.get(GROUP_CONTINUE, group).orElse(defaults.continueAfterUnplaceable()),
                    values.get(GROUP_PENDING_TIMEOUT, group).orElse(defaults.pendingTimeout())));
        }
        return new PlacementOptions(values.get(AGENT_STALE_AFTER), values.get(AGENT_LOST_AFTER),
                PlacementOptions.DEFAULTS.endedRetention(), defaults, overrides);
    }

    /** The installation's idle settings: every {@code idle.*} option over the defaults; a group's own still win. */
    public static IdleSettings idle(ConfigValues values) {
        Map<String, String> options = new TreeMap<>();
        for (String name : values.names()) {
            if (name.startsWith(IdleSettings.GROUP_PREFIX) && ConfigKeys.find(name).orElseThrow().applies() == Applies.LIVE) {
                options.put(name, values.text(name));
            }
        }
        Duration grace = values.get(IDLE_USER_GRACE);
        return IdleSettings.DEFAULTS.forGroup(options).withUserGracePeriod(grace).withCheckInterval(values.get(IDLE_CHECK_INTERVAL));
    }

    private static Policy policy(String name, int skip) {
        Policy policy = Policy.parse(name);
        return policy.equals(Policy.FIFO) && skip > 0 ? Policy.fifo(skip) : policy;
    }
}
