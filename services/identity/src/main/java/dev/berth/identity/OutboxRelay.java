package dev.berth.identity;

import dev.berth.common.Check;
import dev.berth.common.KafkaClients;
import dev.berth.schema.Topics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes outbox rows to the compacted config topics with an idempotent producer, then marks
 * them sent, all inside one transaction that holds the rows' locks.
 *
 * <p>Several API instances may run a relay: each claims rows with {@code FOR UPDATE SKIP LOCKED}
 * and only the oldest unsent row of a key, so two relays never publish two versions of one key
 * out of order. A crash after the admin change's commit leaves its row unsent for the next pass;
 * a crash after the publish but before the mark publishes it again, which the compacted topic and
 * the record's version make harmless.
 */
public final class OutboxRelay implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    private static final int BATCH = 200;
    private static final Duration SEND_DEADLINE = Duration.ofSeconds(15);
    private static final String CLAIM = """
            SELECT o.seq, o.topic, o.record_key, o.payload FROM outbox o
            WHERE o.sent_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.sent_at IS NULL AND e.topic = o.topic
                              AND e.record_key = o.record_key AND e.seq < o.seq)
            ORDER BY o.seq LIMIT $1 FOR UPDATE OF o SKIP LOCKED""";
    private static final String MARK = "UPDATE outbox SET sent_at = now() WHERE seq = ANY($1)";
    private static final String BACKLOG = """
            SELECT count(*) AS unsent, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0) AS oldest_seconds
            FROM outbox WHERE sent_at IS NULL""";
    /** A change this long unpublished means the relays cannot reach Kafka (or none runs). */
    private static final Duration STUCK = Duration.ofSeconds(30);

    private record Pending(long seq, String topic, String key, byte[] payload) {}

    private final Vertx vertx;
    private final Pool pool;
    private final Producer<String, byte[]> producer;
    private final Map<String, String> topicNames;
    private final Duration interval;
    private Context context;
    private boolean running;
    private boolean busy;
    private boolean again;
    private long timer = -1;

    public OutboxRelay(Vertx vertx, Pool pool, Producer<String, byte[]> producer, Topics topics, Duration interval) {
        this.vertx = vertx;
        this.pool = pool;
        this.producer = producer;
        this.topicNames = Map.of(
                "keypairs", topics.configKeypairs.name(),
                "limits", topics.configLimits.name(),
                "scaling-groups", topics.configScalingGroups.name());
        this.interval = interval;
    }

    /** An idempotent producer of raw bytes: the outbox already holds the Avro encoding. */
    public static Producer<String, byte[]> createProducer(String bootstrap) {
        return new KafkaProducer<>(KafkaClients.producer(bootstrap, "berth-outbox-relay"), new StringSerializer(), new ByteArraySerializer());
    }

    /** Starts passing every {@code interval}, and right after a {@link #nudge()}. */
    public void start() {
        context = vertx.getOrCreateContext();
        context.runOnContext(go -> {
            running = true;
            pass();
        });
    }

    /** Something was just written to the outbox: publish it without waiting for the next tick. */
    public void nudge() {
        if (context == null) return;
        context.runOnContext(go -> {
            if (!running) return;
            if (busy) {
                again = true;
            } else {
                vertx.cancelTimer(timer);
                pass();
            }
        });
    }

    /** One claim-publish-mark transaction; the number of rows published. */
    public Future<Integer> publishOnce() {
        return pool.withTransaction(conn -> claim(conn)
                .compose(this::send)
                .compose(sent -> mark(conn, sent)));
    }

    /** Health: down when a change waits for publication longer than {@link #STUCK}. */
    public CompletionStage<Check> health() {
        return pool.query(BACKLOG).execute().map(rows -> {
            Row row = rows.iterator().next();
            long unsent = row.getLong("unsent");
            double oldest = row.getNumeric("oldest_seconds").doubleValue();
            String detail = unsent + " change(s) waiting for publication" + (unsent == 0 ? "" : String.format(", the oldest for %.1f s", oldest));
            return oldest > STUCK.toSeconds() ? Check.down(detail) : Check.up(detail);
        }).toCompletionStage();
    }

    private void pass() {
        busy = true;
        again = false;
        publishOnce().onComplete(result -> {
            busy = false;
            if (result.failed()) log.warn("outbox relay pass failed, retrying in {} ms: {}", interval.toMillis(), result.cause().toString());
            if (!running) return;
            boolean more = again || (result.succeeded() && result.result() == BATCH);
            if (more) pass();
            else timer = vertx.setTimer(interval.toMillis(), tick -> pass());
        });
    }

    private Future<List<Pending>> claim(SqlConnection conn) {
        return conn.preparedQuery(CLAIM).execute(Tuple.of(BATCH)).map(rows -> {
            List<Pending> pending = new ArrayList<>();
            for (Row row : rows) {
                Buffer payload = row.getBuffer("payload");
                pending.add(new Pending(row.getLong("seq"), row.getString("topic"), row.getString("record_key"),
                        payload == null ? null : payload.getBytes()));
            }
            return pending;
        });
    }

    /** Sends on a worker (a send may block on metadata) and waits for every ack. */
    private Future<List<Pending>> send(List<Pending> pending) {
        if (pending.isEmpty()) return Future.succeededFuture(pending);
        return vertx.executeBlocking(() -> {
            List<java.util.concurrent.Future<RecordMetadata>> acks = new ArrayList<>();
            for (Pending row : pending) {
                String topic = topicNames.get(row.topic());
                if (topic == null) throw new IllegalStateException("outbox row " + row.seq() + " names unknown topic " + row.topic());
                acks.add(producer.send(new ProducerRecord<>(topic, row.key(), row.payload())));
            }
            for (var ack : acks) ack.get(SEND_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            return pending;
        }, true);
    }

    private Future<Integer> mark(SqlConnection conn, List<Pending> sent) {
        if (sent.isEmpty()) return Future.succeededFuture(0);
        Long[] seqs = sent.stream().map(Pending::seq).toArray(Long[]::new);
        return conn.preparedQuery(MARK).execute(Tuple.of(seqs)).map(done -> {
            log.debug("outbox relay published {} change(s)", sent.size());
            return sent.size();
        });
    }

    /** Stops passing; a pass under way finishes (or rolls back) on its own. The producer stays open. */
    @Override
    public void close() {
        if (context == null) return;
        context.runOnContext(stop -> {
            running = false;
            vertx.cancelTimer(timer);
        });
    }
}
