package dev.berth.identity;

import dev.berth.common.KafkaClients;
import dev.berth.common.PollingThreads;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop every projection of topics into PostgreSQL shares: one consumer thread polls a batch,
 * the projection turns it into one write, the write runs in one transaction (again and again while
 * PostgreSQL is away), and only then are the offsets committed. A crash replays at most the batch
 * in flight, so projections must be idempotent.
 */
public final class TopicProjector implements AutoCloseable {

    /**
     * One batch's write: how many rows (for the logs), what to run in its transaction, and what to
     * do once it is committed (tell a reader of the rows that there is more to read).
     */
    public record Write(int rows, Function<SqlConnection, Future<Void>> run, Runnable committed) {
        public Write(int rows, Function<SqlConnection, Future<Void>> run) {
            this(rows, run, () -> { });
        }
    }

    /** What a projection makes of a polled batch: its write, or null when the batch holds nothing to write. */
    @FunctionalInterface
    public interface Projection {
        Write plan(ConsumerRecords<String, byte[]> records);
    }

    private static final Logger log = LoggerFactory.getLogger(TopicProjector.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration WRITE_DEADLINE = Duration.ofSeconds(30);
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final String name;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Pool pool;
    private final List<String> topics;
    private final Projection projection;
    private final Thread thread;
    private volatile boolean running = true;

    public TopicProjector(String name, String bootstrap, List<String> topics, String groupId, Pool pool, Projection projection) {
        Map<String, Object> props = KafkaClients.consumer(bootstrap, groupId, name);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        this.name = name;
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.pool = pool;
        this.topics = List.copyOf(topics);
        this.projection = projection;
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    /** Whether the loop still runs: it ends only when closed or on a bug (logged). */
    public boolean alive() {
        return thread.isAlive();
    }

    private void run() {
        try {
            consumer.subscribe(topics);
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                if (records.isEmpty()) continue;
                Write write = projection.plan(records);
                if (write != null) writeUntilDone(write);
                consumer.commitSync();
            }
        } catch (WakeupException e) {
            // close() interrupts the poll to stop the loop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // offsets stay where the last written batch left them; the next start resumes there
            log.error("{} of {} stopped", name, topics, e);
        } finally {
            consumer.close();
        }
    }

    /** A database that is away for a while delays the projection, it does not end it: the batch is tried again. */
    private void writeUntilDone(Write write) throws InterruptedException {
        while (running) {
            try {
                pool.withTransaction(write.run())
                        .toCompletionStage().toCompletableFuture().get(WRITE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
                write.committed().run();
                return;
            } catch (ExecutionException | TimeoutException e) {
                log.warn("{} could not write {} row(s), retrying in {} ms: {}", name, write.rows(), RETRY.toMillis(), e.getMessage());
                Thread.sleep(RETRY);
            }
        }
        // closing: the batch's offsets are not committed, so the next start writes it again
        throw new WakeupException();
    }

    @Override
    public void close() {
        running = false;
        PollingThreads.stop(consumer, thread);
    }
}
