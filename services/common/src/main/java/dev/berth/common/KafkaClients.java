package dev.berth.common;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/** The one place for client settings: what Berth's producers, consumers and Streams apps run with. */
public final class KafkaClients {

    private KafkaClients() {}

    /** Idempotent producer; a short linger batches the hot path without adding visible latency. */
    public static Map<String, Object> producer(String bootstrap, String clientId) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 65536);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        return props;
    }

    /** A consumer that reads only committed records and commits its offsets itself, after the work. */
    public static Map<String, Object> consumer(String bootstrap, String groupId, String clientId) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        if (groupId != null) props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
        return props;
    }

    public static Map<String, Object> admin(String bootstrap) {
        return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    }
}
