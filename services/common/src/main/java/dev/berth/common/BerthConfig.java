package dev.berth.common;

import dev.berth.schema.Topics;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Settings every Berth process shares.
 *
 * @param kafkaBootstrap  BERTH_KAFKA_BOOTSTRAP: the cluster to use; empty means the launcher starts an embedded broker
 * @param topicPrefix     BERTH_TOPIC_PREFIX: prefix of every topic and Streams application id
 * @param partitions      BERTH_PARTITIONS: partitions of each keyed topic (all equal, for co-partitioning)
 * @param stateDir        BERTH_STATE_DIR: where local state lives (stream stores, agent logs, embedded broker data);
 *                        never shared by two instances
 * @param instances       BERTH_INSTANCES: how many instances of every service the cluster runs (1); with more
 *                        than one, each stream task keeps a standby copy of its state on another instance
 * @param instanceId      BERTH_INSTANCE_ID: this instance's node id (EVT-07, CFG-07), stable across restarts:
 *                        in client ids and election candidates; default the host name
 */
public record BerthConfig(String kafkaBootstrap, String topicPrefix, int partitions, Path stateDir, int instances, String instanceId) {

    /** Node ids go into Kafka client ids and etcd values. */
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    public BerthConfig {
        if (instances < 1) throw new IllegalArgumentException("BERTH_INSTANCES must be at least 1, got " + instances);
        if (!SAFE_ID.matcher(instanceId).matches()) {
            throw new IllegalArgumentException("BERTH_INSTANCE_ID must be letters, digits, '.', '_' or '-' (at most 63), got \"" + instanceId + "\"");
        }
    }

    /** One instance named after this host. */
    public BerthConfig(String kafkaBootstrap, String topicPrefix, int partitions, Path stateDir) {
        this(kafkaBootstrap, topicPrefix, partitions, stateDir, 1, hostName());
    }

    public static BerthConfig from(Env env) {
        return new BerthConfig(
                env.string("BERTH_KAFKA_BOOTSTRAP", ""),
                env.string("BERTH_TOPIC_PREFIX", ""),
                env.integer("BERTH_PARTITIONS", Topics.DEFAULT_PARTITIONS, 1, 1024),
                env.path("BERTH_STATE_DIR", Path.of(".berth")).toAbsolutePath(),
                env.integer("BERTH_INSTANCES", 1, 1, 64),
                env.string("BERTH_INSTANCE_ID", hostName()));
    }

    /** CFG-07: the node id when none is configured; a name that is not a safe id falls back to {@code berth}. */
    static String hostName() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            String shortName = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
            return SAFE_ID.matcher(shortName).matches() ? shortName : "berth";
        } catch (UnknownHostException e) {
            return "berth";
        }
    }

    public Topics topics() {
        return Topics.withPrefix(topicPrefix, partitions);
    }

    public BerthConfig withBootstrap(String bootstrap) {
        return new BerthConfig(bootstrap, topicPrefix, partitions, stateDir, instances, instanceId);
    }
}
