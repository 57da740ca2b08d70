package dev.berth.identity;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.function.Function;

/**
 * PostgreSQL transactions that only the current holder of a {@link Fence} can commit. Each one
 * <ol>
 *   <li>lets PostgreSQL end it when it stays idle longer than the lease's TTL, so a holder paused
 *       mid-transaction neither commits late nor holds its row locks against the next holder;</li>
 *   <li>claims the fence's row in {@code leader_fences} with its token, which succeeds only if no
 *       later term (a higher token) has written: the fencing token is checked in the write itself;</li>
 *   <li>runs the work, then checks the fence with etcd once more right before the commit.</li>
 * </ol>
 * Any of these failing rolls the whole transaction back with {@link Refused}.
 */
public final class FencedTransactions {

    private static final String CLAIM = """
            INSERT INTO leader_fences (name, token, holder, updated_at) VALUES ($1, $2, $3, now())
            ON CONFLICT (name) DO UPDATE SET token = EXCLUDED.token, holder = EXCLUDED.holder, updated_at = now()
            WHERE leader_fences.token <= EXCLUDED.token
            RETURNING token""";

    /** The transaction was refused because its term is over; nothing of it was committed. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private FencedTransactions() {}

    /** Runs {@code work} in one transaction guarded by {@code fence}; fails with {@link Refused} when the term is over. */
    public static <T> Future<T> run(Pool pool, Fence fence, Function<SqlConnection, Future<T>> work) {
        FencingToken token = fence.token().orElse(null);
        if (token == null) return Future.failedFuture(new Refused("holds no term"));
        long idleMillis = Math.max(1, fence.leaseTtl().toMillis());
        return pool.withTransaction(conn -> conn.query("SET LOCAL idle_in_transaction_session_timeout = " + idleMillis).execute()
                .compose(set -> conn.preparedQuery(CLAIM).execute(Tuple.of(token.name(), token.revision(), token.holder())))
                .compose(claimed -> claimed.rowCount() == 1 ? work.apply(conn)
                        : Future.failedFuture(new Refused("a later term of " + token.name() + " has written (token " + token.revision() + " is stale)")))
                .compose(result -> confirmed(fence).compose(ok -> ok ? Future.succeededFuture(result)
                        : Future.failedFuture(new Refused("lost " + token.name() + " before the commit")))));
    }

    /** The etcd check, its answer delivered on the caller's Vert.x context when there is one. */
    private static Future<Boolean> confirmed(Fence fence) {
        Context context = Vertx.currentContext();
        return context == null ? Future.fromCompletionStage(fence.checkFence()) : Future.fromCompletionStage(fence.checkFence(), context);
    }
}
