package dev.berth.webhooks;

import dev.berth.api.webhook.SubscriptionRequest.Scope;
import dev.berth.schema.avro.SessionEvent;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The dispatcher's SQL: the subscriptions a batch of events is for, the deliveries it queues, and
 * the workers' claims and outcomes. A delivery's order within its receiver and session is kept here:
 * only the earliest pending one of a (receiver, session) is ever claimed.
 */
final class DeliveryStore {

    /** A delivery claimed for one try. {@code secret} is the subscription's, or null for a callback. */
    record Claimed(UUID id, String receiver, UUID subscriptionId, String url, String sessionId, String event, UUID eventId,
                   long version, int attempts, String payload, String secret) {

        String label() {
            return Receiver.label(receiver, url);
        }
    }

    private static final String SUBSCRIPTIONS = """
            SELECT id, scope, scope_id, event_types, url, domain_name, owner_access_key, owner_user_id FROM webhook_subscriptions
            WHERE active AND ((scope = 'project' AND scope_id = ANY($1)) OR (scope = 'user' AND scope_id = ANY($2)))""";
    /** A replayed event finds its rows there already: nothing is queued twice, whatever was sent since. */
    private static final String QUEUE = """
            INSERT INTO webhook_deliveries (id, receiver, subscription_id, url, session_id, event, event_id, version, seq, payload,
                                            domain_name, owner_access_key, owner_user_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT (id) DO NOTHING""";
    /**
     * Due heads of each (receiver, session) chain, at most {@code $3} in flight per receiver (less
     * what this worker already has: {@code $1} receivers, {@code $2} counts), {@code $4} in all,
     * leased for {@code $5} ms and counted as a try. The update checks the row again, so that two
     * workers never claim one delivery. A deleted subscription's deliveries are not sent.
     */
    private static final String CLAIM = """
            WITH heads AS (
                SELECT d.id, d.receiver, d.next_attempt_at, d.queued,
                       row_number() OVER (PARTITION BY d.receiver ORDER BY d.next_attempt_at, d.queued) AS rank
                FROM webhook_deliveries d
                WHERE d.status = 'pending' AND d.next_attempt_at <= now()
                  AND (d.subscription_id IS NULL OR EXISTS (SELECT 1 FROM webhook_subscriptions s WHERE s.id = d.subscription_id AND s.active))
                  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e
                                  WHERE e.receiver = d.receiver AND e.session_id = d.session_id AND e.status = 'pending'
                                    AND (e.version, e.seq) < (d.version, d.seq))
            ), picked AS (
                SELECT h.id FROM heads h
                LEFT JOIN unnest($1::text[], $2::int[]) AS busy (receiver, in_flight) ON busy.receiver = h.receiver
                WHERE h.rank <= $3::int - coalesce(busy.in_flight, 0)
                ORDER BY h.next_attempt_at, h.queued
                LIMIT $4::int
            )
            UPDATE webhook_deliveries d
            SET attempts = d.attempts + 1, next_attempt_at = now() + ($5::bigint * interval '1 millisecond'), updated_at = now()
            FROM picked
            WHERE d.id = picked.id AND d.status = 'pending' AND d.next_attempt_at <= now()
            RETURNING d.id, d.receiver, d.subscription_id, d.url, d.session_id, d.event, d.event_id, d.version, d.attempts, d.payload,
                      (SELECT s.secret FROM webhook_subscriptions s WHERE s.id = d.subscription_id) AS secret""";
    private static final String DELIVERED = """
            UPDATE webhook_deliveries SET status = 'delivered', last_error = NULL, delivered_at = now(), updated_at = now()
            WHERE id = $1 AND status = 'pending'""";
    private static final String RETRY = """
            UPDATE webhook_deliveries SET next_attempt_at = now() + ($2::bigint * interval '1 millisecond'), last_error = $3, updated_at = now()
            WHERE id = $1 AND status = 'pending'""";
    private static final String FAILED = """
            UPDATE webhook_deliveries SET status = 'failed', last_error = $2, updated_at = now()
            WHERE id = $1 AND status = 'pending'""";
    private static final String DEPTHS = """
            SELECT receiver, min(url) AS url, count(*) AS depth FROM webhook_deliveries d
            WHERE status = 'pending'
              AND (subscription_id IS NULL OR EXISTS (SELECT 1 FROM webhook_subscriptions s WHERE s.id = d.subscription_id AND s.active))
            GROUP BY receiver""";

    private final Pool pool;

    DeliveryStore(Pool pool) {
        this.pool = pool;
    }

    /** Queues, in the caller's transaction, what the events owe to whom; the future holds how many rows are new. */
    static Future<Integer> queue(SqlConnection conn, List<SessionEvent> events) {
        Set<String> projects = new LinkedHashSet<>();
        Set<String> users = new LinkedHashSet<>();
        for (SessionEvent event : events) {
            projects.add(event.getSession().getSpec().getProject());
            if (!event.getSession().getSpec().getUserId().isEmpty()) users.add(event.getSession().getSpec().getUserId());
        }
        return conn.preparedQuery(SUBSCRIPTIONS)
                .execute(Tuple.tuple().addArrayOfString(projects.toArray(String[]::new)).addArrayOfString(users.toArray(String[]::new)))
                .compose(rows -> {
                    List<Tuple> batch = Deliveries.plan(events, subscriptions(rows)).stream().map(DeliveryStore::row).toList();
                    if (batch.isEmpty()) return Future.succeededFuture(0);
                    return conn.preparedQuery(QUEUE).executeBatch(batch).map(DeliveryStore::inserted);
                });
    }

    Future<List<Claimed>> claim(Map<String, Integer> inFlight, int perReceiver, int limit, Duration lease) {
        Tuple args = Tuple.tuple()
                .addArrayOfString(inFlight.keySet().toArray(String[]::new))
                .addArrayOfInteger(inFlight.values().toArray(Integer[]::new))
                .addInteger(perReceiver)
                .addInteger(limit)
                .addLong(lease.toMillis());
        return pool.preparedQuery(CLAIM).execute(args).map(rows -> {
            List<Claimed> claimed = new ArrayList<>();
            for (Row row : rows) claimed.add(claimed(row));
            return claimed;
        });
    }

    Future<Void> delivered(UUID id) {
        return pool.preparedQuery(DELIVERED).execute(Tuple.of(id)).mapEmpty();
    }

    Future<Void> retry(UUID id, Duration delay, String error) {
        return pool.preparedQuery(RETRY).execute(Tuple.of(id, delay.toMillis(), error)).mapEmpty();
    }

    Future<Void> failed(UUID id, String reason) {
        return pool.preparedQuery(FAILED).execute(Tuple.of(id, reason)).mapEmpty();
    }

    /** Pending deliveries per receiver label. */
    Future<Map<String, Long>> depths() {
        return pool.preparedQuery(DEPTHS).execute().map(rows -> {
            Map<String, Long> depths = new LinkedHashMap<>();
            for (Row row : rows) depths.merge(Receiver.label(row.getString("receiver"), row.getString("url")), row.getLong("depth"), Long::sum);
            return depths;
        });
    }

    private static List<Subscription> subscriptions(RowSet<Row> rows) {
        List<Subscription> subscriptions = new ArrayList<>();
        for (Row row : rows) {
            subscriptions.add(new Subscription(row.getUUID("id"), Scope.of(row.getString("scope")), row.getString("scope_id"),
                    Set.of(row.getArrayOfStrings("event_types")), row.getString("url"),
                    new Receiver.Owner(row.getString("domain_name"), row.getString("owner_access_key"), row.getString("owner_user_id"))));
        }
        return subscriptions;
    }

    private static Tuple row(Delivery delivery) {
        Receiver receiver = delivery.receiver();
        UUID subscription = receiver instanceof Receiver.Subscribed subscribed ? subscribed.id() : null;
        return Tuple.tuple()
                .addUUID(delivery.id())
                .addString(receiver.key())
                .addUUID(subscription)
                .addString(receiver.url())
                .addUUID(UUID.fromString(delivery.sessionId()))
                .addString(delivery.event())
                .addUUID(delivery.eventId())
                .addLong(delivery.version())
                .addShort((short) delivery.seq())
                .addValue(delivery.payload())
                .addString(receiver.owner().domain())
                .addString(receiver.owner().accessKey())
                .addString(receiver.owner().userId());
    }

    /** executeBatch chains one result per row: 1 for a new row, 0 for one that was there. */
    private static int inserted(RowSet<Row> first) {
        int inserted = 0;
        for (RowSet<Row> result = first; result != null; result = result.next()) inserted += result.rowCount();
        return inserted;
    }

    private static Claimed claimed(Row row) {
        UUID subscription = row.getUUID("subscription_id");
        return new Claimed(row.getUUID("id"), row.getString("receiver"), subscription, row.getString("url"),
                row.getUUID("session_id").toString(), row.getString("event"), row.getUUID("event_id"), row.getLong("version"),
                row.getInteger("attempts"), row.getJsonObject("payload").encode(), row.getString("secret"));
    }
}
