package dev.berth.scheduler;

import dev.berth.schema.Topics;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;

/** How the scheduler's Streams application runs. */
final class StreamsSettings {

    private StreamsSettings() {}

    /**
     * Exactly-once v2 (invariant 3) with a short commit interval, since latency under EOS is
     * commit-bound; records that do not decode, or that a processor rejects, go to the dead-letter
     * topic with the reason in headers and the stream goes on.
     */
    static Properties of(String bootstrap, Topics topics, String application, Path stateDir, int threads) {
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, topics.prefix() + application);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
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
        return props;
    }
}
