package dev.berth.identity;

import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionStatus;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodic reconciliation of the {@code sessions} read model with Kafka, on the instance that leads
 * {@link #ELECTION} only. The projector commits its offsets after its rows, so a row can stay behind
 * only when PostgreSQL lost commits the projector had made (a restore from a backup, a failover to a
 * replica that lagged): such a session shows RUNNING or PENDING on {@code GET /v1/sessions} forever,
 * and its quota counts in SQL, though the lifecycle ended it long ago. Each round finds rows of live
 * sessions whose latest state on {@code session.events} (as the API's session view holds it) has
 * been dead for longer than a grace, and writes that state through the projector's version-guarded
 * upsert, in a {@link FencedTransactions fenced transaction}. Rows the projector is merely about to
 * write are left to it by the grace.
 */
public final class SessionReconciliation implements AutoCloseable {

    /** The etcd election the instances campaign in for this job. */
    public static final String ELECTION = "berth/leader/session-reconciliation";

    private static final Logger log = LoggerFactory.getLogger(SessionReconciliation.class);
    private static final Set<SessionStatus> ENDED = Set.of(SessionStatus.TERMINATED, SessionStatus.CANCELLED, SessionStatus.ERROR);
    private static final Duration ROUND_DEADLINE = Duration.ofMinutes(2);
    /** Rows looked at per round, oldest first; a longer backlog is worked off over several rounds. */
    private static final int BATCH = 1000;
    private static final String LIVE_ROWS = """
            SELECT id::text, version FROM sessions WHERE status NOT IN ('TERMINATED', 'CANCELLED', 'ERROR')
            ORDER BY created_at LIMIT $1""";

    /** A live row of the read model: its session and version. */
    record LiveRow(String sessionId, long version) {}

    /**
     * What one round did.
     *
     * @param ran      false when this instance did not lead (or lost its lease before the commit): nothing was written
     * @param examined live rows looked at
     * @param repaired rows brought to the session's ended state
     */
    public record Round(boolean ran, int examined, int repaired) {
        static Round skipped() {
            return new Round(false, 0, 0);
        }
    }

    private final Pool pool;
    private final Leadership leadership;
    private final Function<String, Optional<Session>> latest;
    private final Duration grace;
    private final Duration interval;
    private final ScheduledExecutorService timer;

    /**
     * @param leadership a candidate in {@link #ELECTION}, started by the caller (who also closes it)
     * @param latest     a session's latest state on {@code session.events}, e.g. the API's session view
     * @param grace      how long a session must have been ended in Kafka before its row counts as stuck
     * @param interval   time between rounds
     */
    public SessionReconciliation(Pool pool, Leadership leadership, Function<String, Optional<Session>> latest,
                                 Duration grace, Duration interval) {
        if (grace.isNegative()) throw new IllegalArgumentException("grace must not be negative, got " + grace);
        if (!interval.isPositive()) throw new IllegalArgumentException("interval must be longer than zero, got " + interval);
        this.pool = pool;
        this.leadership = leadership;
        this.latest = latest;
        this.grace = grace;
        this.interval = interval;
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("berth-session-reconciliation").daemon(true).factory());
    }

    /** Runs a round every interval; rounds on an instance that does not lead write nothing. */
    public void start() {
        timer.scheduleWithFixedDelay(this::scheduledRound, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void scheduledRound() {
        try {
            runOnce(Instant.now());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("session reconciliation round failed, next in {}: {}", interval, e.getMessage());
        }
    }

    /** The sessions whose rows are stuck: live in the read model, ended in Kafka with a higher version for longer than {@code grace}. */
    static List<Session> stuck(List<LiveRow> rows, Function<String, Optional<Session>> latest, Instant now, Duration grace) {
        List<Session> stuck = new ArrayList<>();
        Instant endedBefore = now.minus(grace);
        for (LiveRow row : rows) {
            latest.apply(row.sessionId())
                    .filter(session -> session.getVersion() > row.version() && ENDED.contains(session.getStatus()))
                    .filter(session -> endedAt(session).isBefore(endedBefore))
                    .ifPresent(stuck::add);
        }
        return stuck;
    }

    private static Instant endedAt(Session session) {
        if (session.getTerminatedAt() != null) return session.getTerminatedAt();
        Long at = session.getStatusHistory().get(session.getStatus().name());
        return at == null ? Instant.MAX : Instant.ofEpochMilli(at);
    }

    /**
     * One round now; nothing is written unless this instance leads and its term is still current
     * when the repair commits.
     *
     * @throws IllegalStateException when PostgreSQL fails or the round does not end in time (it is rolled back)
     */
    public Round runOnce(Instant now) throws InterruptedException {
        if (!leadership.isLeader()) return Round.skipped();
        try {
            Round round = FencedTransactions.run(pool, leadership, conn -> conn.preparedQuery(LIVE_ROWS).execute(Tuple.of(BATCH))
                            .compose(rows -> {
                                List<LiveRow> live = new ArrayList<>();
                                for (Row row : rows) live.add(new LiveRow(row.getString(0), row.getLong(1)));
                                List<Session> stuck = stuck(live, latest, now, grace);
                                return SessionProjector.write(conn, stuck).map(done -> new Round(true, live.size(), stuck.size()));
                            }))
                    .toCompletionStage().toCompletableFuture().get(ROUND_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            if (round.repaired() > 0) {
                log.warn("session reconciliation: {} of {} live row(s) of the read model were behind session.events and now show the session's end",
                        round.repaired(), round.examined());
            }
            return round;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof FencedTransactions.Refused refused) {
                log.warn("session reconciliation round rolled back: {} {}", leadership.candidate(), refused.getMessage());
                return Round.skipped();
            }
            throw new IllegalStateException("session reconciliation round failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("session reconciliation round did not end within " + ROUND_DEADLINE, e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            if (!timer.awaitTermination(10, TimeUnit.SECONDS)) log.warn("session reconciliation round still running at close");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
