package dev.berth.topology.placement;

import dev.berth.schema.avro.ScalingGroupConfig;
import dev.berth.topology.placement.PlacementOptions.GroupOptions;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A scaling group's options as the scheduler applies them: an override of the group in the shared
 * configuration first, else its entry on config.scaling-groups, else the cluster-wide defaults.
 * The options are read anew on every call, so a change of the shared configuration applies from
 * the next pass on. Admission and placement both read them here, so a session waiting in either
 * meets the same pending timeout.
 */
public final class GroupSettings {

    private static final Logger log = LoggerFactory.getLogger(GroupSettings.class);

    /** Status info of a session cancelled for waiting longer than its group allows (SCH-03). */
    public static final String PENDING_TIMEOUT = "pending-timeout";

    private final Supplier<PlacementOptions> options;
    private final Function<String, ScalingGroupConfig> configs;
    /** Group configurations already warned about, so that a bad one is logged once, not every pass. */
    private final Set<String> badConfigs = new HashSet<>();

    public GroupSettings(Supplier<PlacementOptions> options, Function<String, ScalingGroupConfig> configs) {
        this.options = options;
        this.configs = configs;
    }

    /** The group's override, else its options from config.scaling-groups, else the defaults (also when those do not parse). */
    public GroupOptions of(String group) {
        PlacementOptions placement = options.get();
        GroupOptions override = placement.groups().get(group);
        if (override != null) return override;
        ScalingGroupConfig config = configs.apply(group);
        if (config == null) return placement.groupDefaults();
        try {
            return GroupOptions.from(config);
        } catch (IllegalArgumentException e) {
            if (badConfigs.add(group + "@" + config.getVersion())) {
                log.warn("scaling group {} has scheduler options that do not parse ({}); using the defaults", group, e.getMessage());
            }
            return placement.groupDefaults();
        }
    }
}
