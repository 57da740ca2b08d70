package dev.berth.identity;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clears old history (USG-06, as a periodic job instead of {@code mgr clear-history}): each round,
 * on the instance that leads {@link #ELECTION} only, one transaction deletes
 * <ul>
 *   <li>sessions that ended (TERMINATED, CANCELLED, ERROR) longer than the retention ago, with their
 *       dependency rows (by cascade) and their {@code owner_kind = 'session'} usage rows;</li>
 *   <li>hourly usage rows of any owner whose window ended longer than the retention ago;</li>
 *   <li>session usage rows older than the retention whose session the read model does not hold
 *       (left by a replay of the usage topics after their session was cleared).</li>
 * </ul>
 * Daily rows of users, projects and domains are kept: they hold the monthly totals. The cutoff is
 * PostgreSQL's {@code now()} minus the retention, so instances' clocks do not matter. Leadership is
 * checked before the round, and the round is a {@link FencedTransactions fenced transaction}: it
 * carries the term's token into PostgreSQL and checks the fence again right before the commit, so a
 * round whose instance lost its lease meanwhile rolls back. Space is left to autovacuum.
 */
public final class HistoryRetention implements AutoCloseable {

    /** The etcd election the instances campaign in for this job. */
    public static final String ELECTION = "berth/leader/history-retention";

    private static final Logger log = LoggerFactory.getLogger(HistoryRetention.class);
    private static final Duration ROUND_DEADLINE = Duration.ofMinutes(5);
    private static final Duration FIRST_ROUND_AFTER = Duration.ofSeconds(30);
    private static final String CUTOFF = "SELECT now() - make_interval(secs => $1::double precision)";
    private static final String DELETE_SESSIONS = """
            WITH gone AS (
                DELETE FROM sessions WHERE status IN ('TERMINATED', 'CANCELLED', 'ERROR') AND terminated_at < $1
                RETURNING id::text AS id),
            usage AS (
                DELETE FROM usage_totals u USING gone WHERE u.owner_kind = 'session' AND u.owner = gone.id
                RETURNING 1)
            SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM usage)""";
    private static final String DELETE_HOURLY = "DELETE FROM usage_totals WHERE period = 'hourly' AND window_end <= $1";
    private static final String DELETE_ORPHANS = """
            DELETE FROM usage_totals u WHERE u.owner_kind = 'session' AND u.window_end <= $1
                AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id::text = u.owner)""";

    /**
     * What one round did.
     *
     * @param ran          false when this instance did not lead (or lost its lease before the commit): nothing was deleted
     * @param cutoff       rows that ended before this were old enough; null when the round did not run
     * @param sessions     sessions deleted
     * @param sessionUsage usage rows of those (and of already cleared) sessions deleted
     * @param hourlyUsage  other hourly usage rows deleted
     */
    public record Round(boolean ran, OffsetDateTime cutoff, long sessions, long sessionUsage, long hourlyUsage) {
        static Round skipped() {
            return new Round(false, null, 0, 0, 0);
        }
    }

    private final Pool pool;
    private final Leadership leadership;
    private final Duration retention;
    private final Duration interval;
    private final ScheduledExecutorService timer;

    /**
     * @param leadership a candidate in {@link #ELECTION}, started by the caller (who also closes it)
     * @param retention  how long ended history is kept, e.g. {@code RetentionParser.parse("30d")}
     * @param interval   time between rounds (a day, say); the first round comes after 30 s or the interval, whichever is shorter
     */
    public HistoryRetention(Pool pool, Leadership leadership, Duration retention, Duration interval) {
        if (retention.isNegative() || retention.isZero()) throw new IllegalArgumentException("retention must be longer than zero, got " + retention);
        if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("interval must be longer than zero, got " + interval);
        this.pool = pool;
        this.leadership = leadership;
        this.retention = retention;
        this.interval = interval;
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("berth-history-retention").daemon(true).factory());
    }

    public Duration retention() {
        return retention;
    }

    /** Runs a round every interval; rounds on an instance that does not lead delete nothing. */
    public void start() {
        long first = Math.min(FIRST_ROUND_AFTER.toMillis(), interval.toMillis());
        timer.scheduleWithFixedDelay(this::scheduledRound, first, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void scheduledRound() {
        try {
            runOnce();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // PostgreSQL away or a timeout: the next round tries again
            log.warn("history retention round failed, next in {}: {}", interval, e.getMessage());
        }
    }

    /**
     * One round now, in one transaction; nothing happens unless this instance leads and passes the
     * fencing check before it starts and again right before the commit.
     *
     * @throws IllegalStateException when PostgreSQL fails or the round does not end within 5 minutes (it is rolled back)
     */
    public Round runOnce() throws InterruptedException {
        if (!leadership.isLeader() || !leadership.fence()) {
            log.debug("history retention round skipped: {} does not lead {}", leadership.candidate(), leadership.electionName());
            return Round.skipped();
        }
        double seconds = retention.toSeconds() + retention.toNanosPart() / 1e9;
        try {
            Round round = FencedTransactions.run(pool, leadership, conn -> conn.preparedQuery(CUTOFF).execute(Tuple.of(seconds))
                            .compose(rows -> delete(conn, rows.iterator().next().getOffsetDateTime(0))))
                    .toCompletionStage().toCompletableFuture().get(ROUND_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            log.info("history retention (older than {}, before {}): {} session(s), {} session usage row(s), {} hourly usage row(s) deleted",
                    retention, round.cutoff(), round.sessions(), round.sessionUsage(), round.hourlyUsage());
            return round;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof FencedTransactions.Refused) {
                log.warn("history retention round rolled back: {} {}", leadership.candidate(), e.getCause().getMessage());
                return Round.skipped();
            }
            throw new IllegalStateException("history retention round failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("history retention round did not end within " + ROUND_DEADLINE, e);
        }
    }

    private Future<Round> delete(SqlConnection conn, OffsetDateTime cutoff) {
        Tuple before = Tuple.of(cutoff);
        return conn.preparedQuery(DELETE_SESSIONS).execute(before).compose(gone -> {
            Row counts = gone.iterator().next();
            long sessions = counts.getLong(0);
            long sessionUsage = counts.getLong(1);
            return conn.preparedQuery(DELETE_HOURLY).execute(before).compose(hourly ->
                    conn.preparedQuery(DELETE_ORPHANS).execute(before).map(orphans ->
                            new Round(true, cutoff, sessions, sessionUsage + orphans.rowCount(), hourly.rowCount())));
        });
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            if (!timer.awaitTermination(10, TimeUnit.SECONDS)) log.warn("history retention round still running at close");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
