package dev.berth.api.webhook;

import dev.berth.api.auth.Principal;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The API's SQL for webhooks: subscriptions, and the failed deliveries their owners may see and
 * send again. Every read and change is limited to what the caller may see: its own, its domain's
 * for a domain admin, all for a superadmin, as sessions are (AUTH-06); the first four parameters
 * of each query say who asks.
 */
public final class WebhookStore {

    /** A page of rows and how many there are in all. */
    public record Page(List<Row> rows, long total) {}

    /** Where a subscription points, as the database knows it: its domain, and whether it is the caller's own sessions. */
    public record Target(String domain, boolean own) {}

    /** A delivery's state as redelivery needs it; {@code subscriptionActive} is null for a callback. */
    public record DeliveryState(String status, Boolean subscriptionActive) {}

    private static final String VISIBLE = "($1 = 'superadmin' OR ($1 = 'admin' AND domain_name = $2) OR owner_user_id = $3 OR owner_access_key = $4)";
    private static final String SUBSCRIPTION = "id, scope, scope_id, domain_name, owner_access_key, event_types, url, active, created_at";
    private static final String PROJECT = "SELECT domain_name FROM projects WHERE name = $1";
    private static final String USER = "SELECT domain_name FROM users WHERE id::text = $1";
    private static final String INSERT = """
            INSERT INTO webhook_subscriptions (id, scope, scope_id, domain_name, owner_access_key, owner_user_id, event_types, url, secret)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING\s""" + SUBSCRIPTION;
    private static final String LIST = "SELECT " + SUBSCRIPTION + " FROM webhook_subscriptions WHERE active AND " + VISIBLE
            + " ORDER BY created_at DESC, id LIMIT $5 OFFSET $6";
    private static final String COUNT = "SELECT count(*) FROM webhook_subscriptions WHERE active AND " + VISIBLE;
    private static final String GET = "SELECT " + SUBSCRIPTION + " FROM webhook_subscriptions WHERE id = $5 AND active AND " + VISIBLE;
    /** Deleted subscriptions stay as rows, inactive, so that their deliveries keep what they were for. */
    private static final String DELETE = "UPDATE webhook_subscriptions SET active = false WHERE id = $5 AND active AND " + VISIBLE
            + " RETURNING " + SUBSCRIPTION;
    private static final String FAILURES = """
            SELECT id, subscription_id, url, session_id, event, event_id, version, attempts, last_error, payload, created_at, updated_at
            FROM webhook_deliveries WHERE status = 'failed' AND\s""" + VISIBLE + " ORDER BY updated_at DESC, id LIMIT $5 OFFSET $6";
    private static final String COUNT_FAILURES = "SELECT count(*) FROM webhook_deliveries WHERE status = 'failed' AND " + VISIBLE;
    private static final String DELIVERY_STATE = """
            SELECT status, (SELECT s.active FROM webhook_subscriptions s WHERE s.id = d.subscription_id) AS subscription_active
            FROM webhook_deliveries d WHERE id = $5 AND\s""" + VISIBLE + " FOR UPDATE";
    /** A fresh start: all attempts again, due now; the dispatcher's workers find it on their next round. */
    private static final String REDELIVER = """
            UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), updated_at = now()
            WHERE id = $1""";

    private final Pool pool;

    public WebhookStore(Pool pool) {
        this.pool = pool;
    }

    /** The project's domain, or empty when there is no such project. */
    public Future<Optional<Target>> project(String name) {
        return pool.preparedQuery(PROJECT).execute(Tuple.of(name))
                .map(rows -> first(rows).map(row -> new Target(row.getString("domain_name"), false)));
    }

    /** The user's domain, or empty when there is no such user. */
    public Future<Optional<Target>> user(String userId, Principal caller) {
        return pool.preparedQuery(USER).execute(Tuple.of(userId))
                .map(rows -> first(rows).map(row -> new Target(row.getString("domain_name"), userId.equals(caller.userId()))));
    }

    public Future<Row> insert(UUID id, SubscriptionRequest request, String scopeId, String domain, Principal owner, String secret) {
        return pool.preparedQuery(INSERT).execute(Tuple.from(List.of(id, request.scope().stored(), scopeId, domain, owner.accessKey(),
                        owner.userId(), request.events().toArray(String[]::new), request.url(), secret)))
                .map(rows -> rows.iterator().next());
    }

    public Future<Page> list(Principal caller, int limit, int offset) {
        return page(LIST, COUNT, caller, limit, offset);
    }

    public Future<Optional<Row>> get(Principal caller, UUID id) {
        return pool.preparedQuery(GET).execute(asker(caller).addUUID(id)).map(WebhookStore::first);
    }

    public Future<Optional<Row>> delete(Principal caller, UUID id) {
        return pool.preparedQuery(DELETE).execute(asker(caller).addUUID(id)).map(WebhookStore::first);
    }

    public Future<Page> failures(Principal caller, int limit, int offset) {
        return page(FAILURES, COUNT_FAILURES, caller, limit, offset);
    }

    /**
     * Puts a failed delivery back in its queue, in one transaction: {@code decide} looks at its state
     * (empty when the caller sees no such delivery) and throws to refuse.
     */
    public Future<Void> redeliver(Principal caller, UUID id, java.util.function.Consumer<Optional<DeliveryState>> decide) {
        return pool.withTransaction(conn -> conn.preparedQuery(DELIVERY_STATE).execute(asker(caller).addUUID(id))
                .map(rows -> first(rows).map(row -> new DeliveryState(row.getString("status"), row.getBoolean("subscription_active"))))
                .compose(state -> {
                    decide.accept(state);
                    return conn.preparedQuery(REDELIVER).execute(Tuple.of(id));
                })
                .mapEmpty());
    }

    private Future<Page> page(String sql, String count, Principal caller, int limit, int offset) {
        return pool.preparedQuery(sql).execute(asker(caller).addInteger(limit).addInteger(offset))
                .compose(rows -> pool.preparedQuery(count).execute(asker(caller))
                        .map(total -> new Page(list(rows), total.iterator().next().getLong(0))));
    }

    /** The four parameters {@link #VISIBLE} reads. */
    private static Tuple asker(Principal caller) {
        return Tuple.of(caller.role().stored(), caller.domain(), caller.userId(), caller.accessKey());
    }

    private static Optional<Row> first(RowSet<Row> rows) {
        return rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next());
    }

    private static List<Row> list(RowSet<Row> rows) {
        List<Row> list = new ArrayList<>();
        rows.forEach(list::add);
        return list;
    }
}
