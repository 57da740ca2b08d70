package dev.berth.topology;

import static dev.berth.schema.BerthSerdes.KEY;
import static dev.berth.schema.BerthSerdes.KEYPAIR_CONFIG;
import static dev.berth.schema.BerthSerdes.RESOURCE_LIMITS;
import static dev.berth.schema.BerthSerdes.SCALING_GROUP_CONFIG;

import dev.berth.schema.Topics;
import dev.berth.schema.avro.KeypairConfig;
import dev.berth.schema.avro.ResourceLimits;
import dev.berth.schema.avro.ScalingGroupConfig;
import dev.berth.topology.admission.Policies;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The compacted configuration topics as global stores: every task sees every keypair, limit and
 * scaling group, whatever keys its own records have. In memory, as the topic is their changelog.
 */
public final class ConfigTables {

    public static final String KEYPAIRS = "config-keypairs";
    public static final String LIMITS = "config-limits";
    public static final String SCALING_GROUPS = "config-scaling-groups";

    private ConfigTables() {}

    public static void addTo(StreamsBuilder builder, Topics topics) {
        add(builder, KEYPAIRS, topics.configKeypairs, KEYPAIR_CONFIG);
        add(builder, LIMITS, topics.configLimits, RESOURCE_LIMITS);
        add(builder, SCALING_GROUPS, topics.configScalingGroups, SCALING_GROUP_CONFIG);
    }

    private static <V> void add(StreamsBuilder builder, String store, Topics.Spec topic, Serde<V> serde) {
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(store), KEY, serde).withLoggingDisabled(),
                topic.name(),
                Consumed.with(KEY, serde).withName(store + "-in"),
                () -> new Updater<V>(store));
    }

    /** Policies looked up in the global stores of a processor's context. */
    public static Policies policies(ProcessorContext<?, ?> context) {
        KeyValueStore<String, KeypairConfig> keypairs = context.getStateStore(KEYPAIRS);
        KeyValueStore<String, ResourceLimits> limits = context.getStateStore(LIMITS);
        KeyValueStore<String, ScalingGroupConfig> groups = context.getStateStore(SCALING_GROUPS);
        return new Policies() {
            @Override
            public ResourceLimits keypair(String accessKey) {
                KeypairConfig keypair = keypairs.get(accessKey);
                String policy = keypair == null ? "default" : keypair.getResourcePolicy();
                return limits.get(Policies.limitsKey(Policies.KEYPAIR_POLICY, policy));
            }

            @Override
            public boolean keypairActive(String accessKey) {
                KeypairConfig keypair = keypairs.get(accessKey);
                return keypair == null || keypair.getActive();
            }

            @Override
            public ResourceLimits user(String userId) {
                return limits.get(Policies.limitsKey(Policies.USER, userId));
            }

            @Override
            public ResourceLimits project(String project) {
                return limits.get(Policies.limitsKey(Policies.PROJECT, project));
            }

            @Override
            public ResourceLimits domain(String domain) {
                return limits.get(Policies.limitsKey(Policies.DOMAIN, domain));
            }

            @Override
            public ScalingGroupConfig scalingGroup(String name) {
                return groups.get(name);
            }
        };
    }

    /** Keeps the latest value per key; a tombstone deletes. */
    private static final class Updater<V> implements Processor<String, V, Void, Void> {
        private final String storeName;
        private KeyValueStore<String, V> store;

        Updater(String storeName) {
            this.storeName = storeName;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(storeName);
        }

        @Override
        public void process(Record<String, V> record) {
            if (record.key() == null) return;
            if (record.value() == null) store.delete(record.key());
            else store.put(record.key(), record.value());
        }
    }
}
