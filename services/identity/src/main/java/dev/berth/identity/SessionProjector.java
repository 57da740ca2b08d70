package dev.berth.identity;

import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.errors.SerializationException;
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

    private final TopicProjector projector;

    public SessionProjector(String bootstrap, String topic, String groupId, Pool pool) {
        this.projector = new TopicProjector("berth-session-projector", bootstrap, List.of(topic), groupId, pool, records -> {
            List<Session> sessions = latestPerSession(records);
            return sessions.isEmpty() ? null : new TopicProjector.Write(sessions.size(), conn -> write(conn, sessions));
        });
    }

    public void start() {
        projector.start();
    }

    /** The newest version of each session in the batch, in first-seen order. */
    private static List<Session> latestPerSession(ConsumerRecords<String, byte[]> records) {
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

    /** Upserts each session, a row replaced only by a higher version; also the reconciliation's repair. */
    static Future<Void> write(SqlConnection conn, List<Session> sessions) {
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
        projector.close();
    }
}
