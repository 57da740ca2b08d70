package dev.berth.topology.placement;

import dev.berth.schema.avro.ScalingGroupConfig;
import java.time.Duration;
import java.util.Map;

/**
 * How placement behaves.
 *
 * @param staleAfter      an agent whose last heartbeat is older than this gets no new work (SPEC AGT-03: 40 s)
 * @param lostAfter       an agent silent this long is lost: its sessions end in ERROR or go back to the queue
 * @param endedRetention  how long placement remembers ended sessions, to drop a late admission of one
 * @param groupDefaults   what a scaling group gets that has no settings here nor on config.scaling-groups
 * @param groups          overrides per scaling group name: they win over the group's own options on config.scaling-groups
 */
public record PlacementOptions(Duration staleAfter, Duration lostAfter, Duration endedRetention, GroupOptions groupDefaults,
                               Map<String, GroupOptions> groups) {

    /**
     * A scaling group's scheduler options.
     *
     * @param policy                   how the next session and its agents are chosen (SPEC ALG)
     * @param continueAfterUnplaceable false ends a pass at the first session that cannot be placed, as
     *                                 the original does (SCH-16); true goes on with the next (AMB-05)
     * @param pendingTimeout           a session pending this long (from its creation) is cancelled with
     *                                 {@code pending-timeout} (SPEC SCH-03); zero disables it
     */
    public record GroupOptions(Policy policy, boolean continueAfterUnplaceable, Duration pendingTimeout) {
        public GroupOptions {
            java.util.Objects.requireNonNull(policy, "policy");
            if (pendingTimeout.isNegative()) throw new IllegalArgumentException("pendingTimeout must not be negative");
        }

        public static final GroupOptions DEFAULTS = new GroupOptions(Policy.FIFO, false, Duration.ZERO);

        public GroupOptions withPendingTimeout(Duration timeout) {
            return new GroupOptions(policy, continueAfterUnplaceable, timeout);
        }

        /** SCH-03, AMB-11: whether a session still pending at {@code nowMs} has waited its timeout out since its creation; never when zero. */
        public boolean timedOut(long createdAtMs, long nowMs) {
            return !pendingTimeout.isZero() && nowMs - createdAtMs >= pendingTimeout.toMillis();
        }

        /**
         * A group's options as configured on config.scaling-groups (RES-07): the scheduler by name,
         * {@code num_retries_to_skip} for FIFO and {@code continue_after_unplaceable} in its config.
         *
         * @throws IllegalArgumentException when the configuration does not parse
         */
        public static GroupOptions from(ScalingGroupConfig config) {
            Map<String, String> opts = config.getSchedulerConfig();
            Policy policy = Policy.parse(config.getScheduler());
            String skip = opts.get("num_retries_to_skip");
            if (skip != null && !skip.equals("0")) {
                if (!policy.equals(Policy.FIFO)) throw new IllegalArgumentException("num_retries_to_skip applies to the fifo scheduler only");
                policy = Policy.fifo(Integer.parseInt(skip));
            }
            String continueAfter = opts.getOrDefault("continue_after_unplaceable", "false");
            if (!continueAfter.equals("true") && !continueAfter.equals("false")) {
                throw new IllegalArgumentException("continue_after_unplaceable must be true or false, got \"" + continueAfter + "\"");
            }
            return new GroupOptions(policy, Boolean.parseBoolean(continueAfter), Duration.ofMillis(config.getPendingTimeoutMs()));
        }
    }

    public static final PlacementOptions DEFAULTS =
            new PlacementOptions(Duration.ofSeconds(40), Duration.ofMinutes(2), Duration.ofHours(1), GroupOptions.DEFAULTS, Map.of());

    public PlacementOptions {
        if (lostAfter.compareTo(staleAfter) < 0) throw new IllegalArgumentException("lostAfter must not be shorter than staleAfter");
        groups = Map.copyOf(groups);
    }

    public GroupOptions group(String name) {
        return groups.getOrDefault(name, groupDefaults);
    }

    public PlacementOptions withGroupDefaults(GroupOptions defaults) {
        return new PlacementOptions(staleAfter, lostAfter, endedRetention, defaults, groups);
    }

}
