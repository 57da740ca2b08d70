package dev.berth.topology.placement;

import dev.berth.schema.avro.ScalingGroupConfig;
import dev.berth.topology.placement.PlacementOptions.GroupOptions;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A scaling group's options as the scheduler applies them: its entry on config.scaling-groups, else
 * the static settings. Admission and placement both read them here, so a session waiting in either
 * meets the same pending timeout.
 */
public final class GroupSettings {

    private static final Logger log = LoggerFactory.getLogger(GroupSettings.class);

    /** Status info of a session cancelled for waiting longer than its group allows (SCH-03). */
    public static final String PENDING_TIMEOUT = "pending-timeout";

    private final PlacementOptions options;
    private final Function<String, ScalingGroupConfig> configs;
    /** Group configurations already warned about, so that a bad one is logged once, not every pass. */
    private final Set<String> badConfigs = new HashSet<>();

    public GroupSettings(PlacementOptions options, Function<String, ScalingGroupConfig> configs) {
        this.options = options;
        this.configs = configs;
    }

    /** The group's options from config.scaling-groups; the static ones when it has none or they do not parse. */
    public GroupOptions of(String group) {
        ScalingGroupConfig config = configs.apply(group);
        if (config == null) return options.group(group);
        try {
            return GroupOptions.from(config);
        } catch (IllegalArgumentException e) {
            if (badConfigs.add(group + "@" + config.getVersion())) {
                log.warn("scaling group {} has scheduler options that do not parse ({}); using the defaults", group, e.getMessage());
            }
            return options.group(group);
        }
    }
}
