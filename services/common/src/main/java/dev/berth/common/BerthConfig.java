package dev.berth.common;

import dev.berth.schema.Topics;
import java.nio.file.Path;

/**
 * Settings every Berth process shares.
 *
 * @param kafkaBootstrap  BERTH_KAFKA_BOOTSTRAP: the cluster to use; empty means the launcher starts an embedded broker
 * @param topicPrefix     BERTH_TOPIC_PREFIX: prefix of every topic and Streams application id
 * @param partitions      BERTH_PARTITIONS: partitions of each keyed topic (all equal, for co-partitioning)
 * @param stateDir        BERTH_STATE_DIR: where local state lives (stream stores, agent logs, embedded broker data)
 */
public record BerthConfig(String kafkaBootstrap, String topicPrefix, int partitions, Path stateDir) {

    public static BerthConfig from(Env env) {
        return new BerthConfig(
                env.string("BERTH_KAFKA_BOOTSTRAP", ""),
                env.string("BERTH_TOPIC_PREFIX", ""),
                env.integer("BERTH_PARTITIONS", Topics.DEFAULT_PARTITIONS, 1, 1024),
                env.path("BERTH_STATE_DIR", Path.of(".berth")).toAbsolutePath());
    }

    public Topics topics() {
        return Topics.withPrefix(topicPrefix, partitions);
    }

    public BerthConfig withBootstrap(String bootstrap) {
        return new BerthConfig(bootstrap, topicPrefix, partitions, stateDir);
    }
}
