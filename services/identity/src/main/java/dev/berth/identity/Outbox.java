package dev.berth.identity;

import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.KeypairConfig;
import dev.berth.schema.avro.LimitScope;
import dev.berth.schema.avro.ResourceLimits;
import dev.berth.schema.avro.ScalingGroupConfig;
import dev.berth.schema.avro.SessionType;
import dev.berth.schema.avro.UnspecifiedSlots;
import dev.berth.schema.avro.UserRole;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Writes config changes into the outbox table, inside the caller's transaction: it reads the
 * changed row as it is now and stores its Avro encoding (or a tombstone when the row is gone),
 * stamped with the outbox sequence number as the record's version.
 */
public final class Outbox {

    private static final String NEXT_SEQ = "SELECT nextval(pg_get_serial_sequence('outbox', 'seq'))";
    private static final String INSERT = "INSERT INTO outbox (seq, topic, record_key, payload) VALUES ($1, $2, $3, $4)";
    private static final String KEYPAIR = """
            SELECT k.access_key, k.user_id, u.domain_name, u.role, k.is_active AND u.status = 'active' AND d.is_active AS active,
                   k.resource_policy, k.rate_limit
            FROM keypairs k JOIN users u ON u.id = k.user_id JOIN domains d ON d.name = u.domain_name
            WHERE k.access_key = $1""";
    private static final String POLICY = "SELECT * FROM keypair_resource_policies WHERE name = $1";
    private static final String USER = "SELECT total_resource_slots FROM users WHERE id::text = $1";
    private static final String PROJECT = "SELECT total_resource_slots FROM projects WHERE name = $1";
    private static final String DOMAIN = "SELECT total_resource_slots FROM domains WHERE name = $1";
    private static final String SCALING_GROUP = "SELECT * FROM scaling_groups WHERE name = $1";

    private Outbox() {}

    /** Records every change, one after the other, in the connection's transaction. */
    public static Future<Void> record(SqlConnection conn, List<? extends ConfigChange> changes) {
        Future<Void> chain = Future.succeededFuture();
        for (ConfigChange change : changes) chain = chain.compose(done -> record(conn, change));
        return chain;
    }

    public static Future<Void> record(SqlConnection conn, ConfigChange change) {
        return conn.query(NEXT_SEQ).execute()
                .map(rows -> rows.iterator().next().getLong(0))
                .compose(seq -> payload(conn, change, seq)
                        .compose(payload -> conn.preparedQuery(INSERT)
                                .execute(Tuple.of(seq, change.topic(), change.key(), payload == null ? null : Buffer.buffer(payload)))))
                .mapEmpty();
    }

    /** The Avro bytes of the record as it is now, or null (a tombstone) when its row is gone. */
    private static Future<byte[]> payload(SqlConnection conn, ConfigChange change, long version) {
        return switch (change) {
            case ConfigChange.Keypair k -> one(conn, KEYPAIR, k.accessKey(), row ->
                    BerthSerdes.KEYPAIR_CONFIG.serialize("", keypair(row, version)));
            case ConfigChange.KeypairPolicy p -> one(conn, POLICY, p.name(), row ->
                    BerthSerdes.RESOURCE_LIMITS.serialize("", policy(row, version)));
            case ConfigChange.UserLimits u -> one(conn, USER, u.userId(), row ->
                    BerthSerdes.RESOURCE_LIMITS.serialize("", totals(LimitScope.USER, u.userId(), row, version)));
            case ConfigChange.ProjectLimits p -> one(conn, PROJECT, p.project(), row ->
                    BerthSerdes.RESOURCE_LIMITS.serialize("", totals(LimitScope.PROJECT, p.project(), row, version)));
            case ConfigChange.DomainLimits d -> one(conn, DOMAIN, d.domain(), row ->
                    BerthSerdes.RESOURCE_LIMITS.serialize("", totals(LimitScope.DOMAIN, d.domain(), row, version)));
            case ConfigChange.ScalingGroup g -> one(conn, SCALING_GROUP, g.name(), row ->
                    BerthSerdes.SCALING_GROUP_CONFIG.serialize("", scalingGroup(row, version)));
        };
    }

    private static Future<byte[]> one(SqlConnection conn, String sql, String key, Function<Row, byte[]> encode) {
        return conn.preparedQuery(sql).execute(Tuple.of(key))
                .map(rows -> rows.size() == 0 ? null : encode.apply(rows.iterator().next()));
    }

    static KeypairConfig keypair(Row row, long version) {
        return KeypairConfig.newBuilder()
                .setAccessKey(row.getString("access_key"))
                .setUserId(row.getUUID("user_id").toString())
                .setDomain(row.getString("domain_name"))
                .setRole(UserRole.valueOf(row.getString("role").toUpperCase(Locale.ROOT)))
                .setActive(row.getBoolean("active"))
                .setResourcePolicy(row.getString("resource_policy"))
                .setRateLimit(row.getInteger("rate_limit"))
                .setVersion(version)
                .build();
    }

    static ResourceLimits policy(Row row, long version) {
        return ResourceLimits.newBuilder()
                .setScope(LimitScope.KEYPAIR_POLICY)
                .setId(row.getString("name"))
                .setTotalResourceSlots(SlotMaps.of((JsonObject) row.getJson("total_resource_slots")))
                .setDefaultForUnspecified(UnspecifiedSlots.valueOf(row.getString("default_for_unspecified")))
                .setMaxConcurrentSessions(row.getInteger("max_concurrent_sessions"))
                .setMaxContainersPerSession(row.getInteger("max_containers_per_session"))
                .setIdleTimeoutSeconds(row.getLong("idle_timeout"))
                .setMaxSessionLifetimeSeconds(row.getLong("max_session_lifetime"))
                .setVersion(version)
                .build();
    }

    /** User, project and domain limits are total slots only; a slot they do not name is unlimited (SCH-10). */
    static ResourceLimits totals(LimitScope scope, String id, Row row, long version) {
        return ResourceLimits.newBuilder()
                .setScope(scope)
                .setId(id)
                .setTotalResourceSlots(SlotMaps.of((JsonObject) row.getJson("total_resource_slots")))
                .setDefaultForUnspecified(UnspecifiedSlots.UNLIMITED)
                .setVersion(version)
                .build();
    }

    static ScalingGroupConfig scalingGroup(Row row, long version) {
        JsonObject opts = (JsonObject) row.getJson("scheduler_opts");
        List<SessionType> types = new ArrayList<>();
        for (Object type : opts.getJsonArray("allowed_session_types", new JsonArray())) {
            types.add(SessionType.valueOf(type.toString().toUpperCase(Locale.ROOT)));
        }
        Map<String, String> config = new TreeMap<>();
        opts.getJsonObject("config", new JsonObject()).forEach(entry -> config.put(entry.getKey(), String.valueOf(entry.getValue())));
        Number pendingTimeout = opts.getNumber("pending_timeout", 0);
        return ScalingGroupConfig.newBuilder()
                .setName(row.getString("name"))
                .setActive(row.getBoolean("is_active"))
                .setIsPublic(row.getBoolean("is_public"))
                .setScheduler(row.getString("scheduler"))
                .setSchedulerConfig(config)
                .setAllowedSessionTypes(types)
                .setPendingTimeoutMs(new BigDecimal(pendingTimeout.toString()).movePointRight(3).longValue())
                .setVersion(version)
                .build();
    }
}
