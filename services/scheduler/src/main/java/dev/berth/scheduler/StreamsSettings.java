package dev.berth.scheduler;

import dev.berth.common.BerthConfig;
import dev.berth.schema.Topics;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;

/** How the scheduler's Streams application runs. */
final class StreamsSettings {

    static final int SESSION_TIMEOUT_MS = 10_000;

    private StreamsSettings() {}

    /**
     * Exactly-once v2 (invariant 3) with a short commit interval, since latency under EOS is
     * commit-bound; records that do not decode, or that a processor rejects, go to the dead-letter
     * topic with the reason in headers and the stream goes on.
     */
    static Properties of(BerthConfig config, String application, int threads) {
        Topics topics = config.topics();
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, topics.prefix() + application);
        // EVT-07: the node id names this instance's clients on the broker
        props.put(StreamsConfig.CLIENT_ID_CONFIG, topics.prefix() + application + "-" + config.instanceId());
        // each instance its own stores: Kafka Streams locks a task's directory against any other process
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().resolve("streams").toString());
        // with several instances a task's state is kept warm on a second one, which takes over without a restore
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, standbyReplicas(config.instances()));
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 50);
        // placement passes run on a 5 ms wall-clock punctuation, which an idle poll must not hold back
        props.put(StreamsConfig.POLL_MS_CONFIG, 5);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
        // the record cache folds the several writes a session's state gets between two commits into one changelog record
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 32L << 20);
        // one thread processes while the other waits for its transaction to commit
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueProcessingExceptionHandler.class);
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, topics.deadLetters.name());
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 2);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 10);
        // an instance that dies without leaving the group (killed, its machine lost) hands its tasks to the
        // others once it misses heartbeats for this long, instead of the consumer's 45 s default
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), SESSION_TIMEOUT_MS);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), SESSION_TIMEOUT_MS / 4);
        return props;
    }

    /** One standby per task as soon as there is another instance to hold it. */
    static int standbyReplicas(int instances) {
        return instances > 1 ? 1 : 0;
    }
}
