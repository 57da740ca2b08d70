package dev.berth.identity;

import dev.berth.common.KafkaClients;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Projects {@code session.events} into the {@code sessions} read model (SES-23) so that SQL can
 * answer questions about sessions. One consumer group across API instances; offsets are committed
 * after the rows are written, and a row is replaced only by a higher version, so a replay after a
 * crash changes nothing. Records that do not decode, or whose id is not a UUID, are skipped with a
 * warning (their writers dead-letter bad input).
 */
public final class SessionProjector implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SessionProjector.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration WRITE_DEADLINE = Duration.ofSeconds(30);
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final String UPSERT = """
            INSERT INTO sessions (id, name, access_key, user_id, domain_name, project_name, scaling_group, session_type,
                                  cluster_mode, cluster_size, image, status, status_info, status_history, result,
                                  requested_slots, starts_at, created_at, terminated_at, version)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
            ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, status = EXCLUDED.status, status_info = EXCLUDED.status_info,
                status_history = EXCLUDED.status_history, result = EXCLUDED.result, scaling_group = EXCLUDED.scaling_group,
                terminated_at = EXCLUDED.terminated_at, version = EXCLUDED.version
            WHERE sessions.version < EXCLUDED.version""";
    /** Dependencies on sessions the model does not hold yet are left out rather than failing the batch. */
    private static final String DEPENDENCIES = """
            INSERT INTO session_dependencies (session_id, depends_on)
            SELECT $1, d FROM unnest($2::uuid[]) AS d WHERE EXISTS (SELECT 1 FROM sessions WHERE id = d)
            ON CONFLICT DO NOTHING""";

    private final KafkaConsumer<String, byte[]> consumer;
    private final Pool pool;
    private final String topic;
    private final Thread thread;
    private volatile boolean running = true;

    public SessionProjector(String bootstrap, String topic, String groupId, Pool pool) {
        Map<String, Object> props = KafkaClients.consumer(bootstrap, groupId, "berth-session-projector");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.pool = pool;
        this.topic = topic;
        this.thread = Thread.ofPlatform().name("berth-session-projector").daemon(true).unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topic));
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                if (records.isEmpty()) continue;
                writeUntilDone(latestPerSession(records));
                consumer.commitSync();
            }
        } catch (WakeupException e) {
            // close() interrupts the poll to stop the loop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // offsets stay where the last written batch left them; the next start resumes there
            log.error("session projector of {} stopped", topic, e);
        } finally {
            consumer.close();
        }
    }

    /** A database that is away for a while delays the model, it does not end it: the batch is tried again. */
    private void writeUntilDone(List<Session> sessions) throws InterruptedException {
        while (running) {
            try {
                pool.withTransaction(conn -> write(conn, sessions))
                        .toCompletionStage().toCompletableFuture().get(WRITE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException | TimeoutException e) {
                log.warn("session projector could not write {} session(s), retrying in {} ms: {}", sessions.size(), RETRY.toMillis(), e.getMessage());
                Thread.sleep(RETRY);
            }
        }
    }

    /** The newest version of each session in the batch, in first-seen order. */
    private List<Session> latestPerSession(ConsumerRecords<String, byte[]> records) {
        Map<String, Session> latest = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            Session session = decode(record);
            if (session == null) continue;
            latest.merge(session.getSessionId(), session, (held, offered) -> offered.getVersion() > held.getVersion() ? offered : held);
        }
        return new ArrayList<>(latest.values());
    }

    private static Session decode(ConsumerRecord<String, byte[]> record) {
        try {
            SessionEvent event = BerthSerdes.SESSION_EVENT.deserialize(record.topic(), record.value());
            if (event == null) return null;
            UUID.fromString(event.getSession().getSessionId());
            return event.getSession();
        } catch (SerializationException | IllegalArgumentException e) {
            log.warn("session projector skips {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
            return null;
        }
    }

    private static Future<Void> write(SqlConnection conn, List<Session> sessions) {
        Future<Void> chain = Future.succeededFuture();
        for (Session session : sessions) {
            chain = chain.compose(done -> conn.preparedQuery(UPSERT).execute(row(session)))
                    .compose(done -> session.getSpec().getDependencies().isEmpty() ? Future.succeededFuture()
                            : conn.preparedQuery(DEPENDENCIES).execute(Tuple.tuple()
                                    .addUUID(UUID.fromString(session.getSessionId()))
                                    .addArrayOfUUID(session.getSpec().getDependencies().stream().map(UUID::fromString).toArray(UUID[]::new)))
                                    .mapEmpty());
        }
        return chain;
    }

    private static Tuple row(Session session) {
        var spec = session.getSpec();
        JsonObject history = new JsonObject();
        session.getStatusHistory().forEach((status, millis) -> history.put(status, Instant.ofEpochMilli(millis).toString()));
        return Tuple.from(Arrays.asList(
                UUID.fromString(session.getSessionId()), spec.getName(), session.getAccessKey(), spec.getUserId(), spec.getDomain(),
                spec.getProject(), spec.getScalingGroup(), lower(spec.getSessionType()), lower(spec.getClusterMode()), spec.getClusterSize(),
                spec.getImage(), session.getStatus().name(), session.getStatusInfo(), history, session.getResult().name(),
                SlotMaps.json(spec.getResources()), time(spec.getStartsAt()), time(session.getCreatedAt()),
                time(session.getTerminatedAt()), session.getVersion()));
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static OffsetDateTime time(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    @Override
    public void close() {
        running = false;
        if (thread.getState() == Thread.State.NEW) {
            consumer.close();
            return;
        }
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
