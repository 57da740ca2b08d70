package dev.berth.identity;

import static dev.berth.identity.TestDatabases.await;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionStatus;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The reconciliation of the sessions table with Kafka's state, on the real PostgreSQL and etcd (skipped when etcd does not answer). */
class SessionReconciliationIT {

    private static final Duration TTL = Duration.ofSeconds(3);
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final Duration GRACE = Duration.ofMinutes(1);
    private static final Instant LONG_AGO = Instant.now().minus(Duration.ofMinutes(10));
    private static LeaderTestBed bed;
    /** Stands for the API's session view: each session's latest state on session.events. */
    private final Map<String, Session> kafka = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() {
        bed = LeaderTestBed.open(2);
    }

    @AfterAll
    static void stop() throws Exception {
        if (bed != null) bed.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        bed.closeOpened();
    }

    private SessionReconciliation job(Leadership leadership, Duration interval) {
        SessionReconciliation job = new SessionReconciliation(bed.pool(), leadership, id -> Optional.ofNullable(kafka.get(id)), GRACE, interval);
        bed.opened(job);
        return job;
    }

    /** A session whose row the read model holds at {@code rowStatus}/{@code rowVersion}, and whose Kafka state is {@code latest}. */
    private String session(SessionStatus rowStatus, long rowVersion, SessionStatus latest, long latestVersion, Instant changedAt) throws Exception {
        String id = UUID.randomUUID().toString();
        await(bed.pool().withTransaction(conn -> SessionProjector.write(conn, List.of(SessionReconciliationTest.session(id, rowStatus, rowVersion, LONG_AGO)))));
        kafka.put(id, SessionReconciliationTest.session(id, latest, latestVersion, changedAt));
        return id;
    }

    private static String row(String id) throws Exception {
        try (Connection conn = TestDatabases.jdbc(bed.pg()); Statement statement = conn.createStatement();
             ResultSet row = statement.executeQuery("SELECT status, version FROM sessions WHERE id = '" + id + "'")) {
            assertTrue(row.next(), "row of " + id);
            return row.getString(1) + " v" + row.getLong(2);
        }
    }

    @Test
    @DisplayName("a round on the leader brings rows stuck live to the ended state Kafka has held past the grace; fresh ends, live sessions and a follower's round change nothing")
    void repairsStuckRowsOnTheLeader() throws Exception {
        String stuck = session(SessionStatus.RUNNING, 3, SessionStatus.TERMINATED, 6, LONG_AGO);
        String cancelled = session(SessionStatus.PENDING, 1, SessionStatus.CANCELLED, 2, LONG_AGO);
        String justEnded = session(SessionStatus.RUNNING, 3, SessionStatus.TERMINATED, 6, Instant.now());
        String running = session(SessionStatus.PREPARING, 2, SessionStatus.RUNNING, 4, LONG_AGO);
        Leadership[] leadership = bed.leaderAndFollower(SessionReconciliation.ELECTION, TTL);

        SessionReconciliation.Round idle = job(leadership[1], Duration.ofHours(1)).runOnce(Instant.now());
        assertFalse(idle.ran());
        assertEquals("RUNNING v3", row(stuck), "a follower writes nothing");

        SessionReconciliation.Round round = job(leadership[0], Duration.ofHours(1)).runOnce(Instant.now());
        assertTrue(round.ran());
        assertEquals(2, round.repaired());
        assertEquals("TERMINATED v6", row(stuck));
        assertEquals("CANCELLED v2", row(cancelled));
        assertEquals("RUNNING v3", row(justEnded), "within the grace the projector is trusted");
        assertEquals("PREPARING v2", row(running), "a live session is the projector's to update");

        assertEquals(0, job(leadership[0], Duration.ofHours(1)).runOnce(Instant.now()).repaired(), "a second round finds nothing stuck");
    }

    @Test
    @DisplayName("started, the leader's job repairs a stuck row within an interval")
    void runsPeriodically() throws Exception {
        Leadership[] leadership = bed.leaderAndFollower(SessionReconciliation.ELECTION, TTL);
        job(leadership[1], Duration.ofMillis(200)).start();
        job(leadership[0], Duration.ofMillis(200)).start();
        String stuck = session(SessionStatus.RUNNING, 3, SessionStatus.ERROR, 4, LONG_AGO);
        await().atMost(DEADLINE).until(() -> row(stuck).equals("ERROR v4"));
    }

    @Test
    @DisplayName("OPS-02 a leader whose lease was revoked is refused and repairs nothing")
    void revokedLeaderWritesNothing() throws Exception {
        String stuck = session(SessionStatus.RUNNING, 3, SessionStatus.TERMINATED, 6, LONG_AGO);
        Leadership[] leadership = bed.leaderAndFollower(SessionReconciliation.ELECTION, TTL);
        bed.etcd().getLeaseClient().revoke(leadership[0].leaseId().orElseThrow()).get(5, TimeUnit.SECONDS);

        SessionReconciliation.Round round = job(leadership[0], Duration.ofHours(1)).runOnce(Instant.now());
        assertFalse(round.ran());
        assertEquals("RUNNING v3", row(stuck));
    }
}
