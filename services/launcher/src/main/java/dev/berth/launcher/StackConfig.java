package dev.berth.launcher;

import dev.berth.common.BerthConfig;
import dev.berth.common.Env;

/**
 * What {@code berth up} starts.
 *
 * @param kafkaPort            BERTH_KAFKA_PORT: the embedded broker's client port (19092; 0 = any free port)
 * @param kafkaControllerPort  BERTH_KAFKA_CONTROLLER_PORT: its controller port (19093; 0 = any free port)
 */
public record StackConfig(BerthConfig berth, int kafkaPort, int kafkaControllerPort) {

    public static StackConfig from(Env env) {
        return new StackConfig(BerthConfig.from(env),
                env.integer("BERTH_KAFKA_PORT", 19092, 0, 65535),
                env.integer("BERTH_KAFKA_CONTROLLER_PORT", 19093, 0, 65535));
    }

    /** Without BERTH_KAFKA_BOOTSTRAP the stack runs its own broker. */
    public boolean embeddedKafka() {
        return berth.kafkaBootstrap().isEmpty();
    }
}
