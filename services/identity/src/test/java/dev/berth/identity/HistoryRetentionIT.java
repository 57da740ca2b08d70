package dev.berth.identity;

import static dev.berth.identity.TestDatabases.await;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** USG-06 history retention on the real PostgreSQL, led through the project's etcd (skipped when etcd does not answer). */
class HistoryRetentionIT {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final Duration TTL = Duration.ofSeconds(3);
    private static final Duration RETENTION = RetentionParser.parse("30d");
    private static final Instant NOW = Instant.now();
    private static final Instant OLD = NOW.minus(40, ChronoUnit.DAYS).truncatedTo(ChronoUnit.DAYS);
    private static final Instant RECENT = NOW.minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.DAYS);
    private static LeaderTestBed bed;

    @BeforeAll
    static void start() {
        bed = LeaderTestBed.open(2);
    }

    @AfterAll
    static void stop() throws Exception {
        if (bed != null) bed.close();
    }

    @BeforeEach
    void empty() throws Exception {
        execute("DELETE FROM usage_totals");
        execute("DELETE FROM sessions");
    }

    @AfterEach
    void closeAll() throws Exception {
        bed.closeOpened();
    }

    private HistoryRetention retention(Leadership leadership, Duration interval) {
        HistoryRetention retention = new HistoryRetention(bed.pool(), leadership, RETENTION, interval);
        bed.opened(retention);
        return retention;
    }

    @Test
    @DisplayName("USG-06 a round on the leader deletes ended sessions older than the retention with their usage and old hourly rows; daily owner totals, recent and live sessions stay; a follower deletes nothing")
    void clearsOldHistoryOnTheLeaderOnly() throws Exception {
        String oldTerminated = session("TERMINATED", OLD);
        String oldCancelled = session("CANCELLED", OLD);
        String oldError = session("ERROR", OLD);
        String recentTerminated = session("TERMINATED", RECENT);
        String liveOld = session("RUNNING", null);
        usage("hourly", "session", oldTerminated, OLD);
        usage("daily", "session", oldTerminated, OLD);
        usage("daily", "session", oldCancelled, OLD);
        usage("hourly", "session", recentTerminated, RECENT);
        usage("daily", "session", recentTerminated, RECENT);
        usage("hourly", "session", liveOld, OLD);
        usage("daily", "session", liveOld, OLD);
        usage("hourly", "session", liveOld, RECENT);
        usage("daily", "session", UUID.randomUUID().toString(), OLD); // its session was cleared before: an orphan
        String recentOrphan = UUID.randomUUID().toString();
        usage("daily", "session", recentOrphan, RECENT);
        usage("hourly", "project", "proj-a", OLD);
        usage("hourly", "user", "user-a", RECENT);
        for (String kind : List.of("user", "project", "domain")) usage("daily", kind, kind + "-a", OLD);
        String before = snapshot();

        Leadership[] leadership = bed.leaderAndFollower(HistoryRetention.ELECTION, TTL);
        HistoryRetention.Round idle = retention(leadership[1], Duration.ofHours(1)).runOnce();
        assertFalse(idle.ran());
        assertEquals(before, snapshot(), "a follower deletes nothing");

        HistoryRetention.Round round = retention(leadership[0], Duration.ofHours(1)).runOnce();
        assertTrue(round.ran());
        assertNotNull(round.cutoff());
        assertEquals(3, round.sessions());
        assertEquals(4, round.sessionUsage(), "the old sessions' three rows and the orphan");
        assertEquals(2, round.hourlyUsage(), "the live session's and the project's old hourly rows");
        assertEquals(Set.of(recentTerminated, liveOld), Set.copyOf(rows("SELECT id::text FROM sessions")));
        assertEquals(Set.of(
                        "daily domain domain-a " + OLD,
                        "daily project project-a " + OLD,
                        "daily user user-a " + OLD,
                        "daily session " + liveOld + " " + OLD,
                        "daily session " + recentTerminated + " " + RECENT,
                        "daily session " + recentOrphan + " " + RECENT,
                        "hourly session " + liveOld + " " + RECENT,
                        "hourly session " + recentTerminated + " " + RECENT,
                        "hourly user user-a " + RECENT),
                Set.copyOf(remainingUsage()));

        HistoryRetention.Round again = retention(leadership[0], Duration.ofHours(1)).runOnce();
        assertTrue(again.ran());
        assertEquals(0, again.sessions() + again.sessionUsage() + again.hourlyUsage());
    }

    @Test
    @DisplayName("USG-06 started, the leader's job runs a round every interval")
    void runsPeriodically() throws Exception {
        Leadership[] leadership = bed.leaderAndFollower(HistoryRetention.ELECTION, TTL);
        retention(leadership[1], Duration.ofMillis(200)).start();
        HistoryRetention job = retention(leadership[0], Duration.ofMillis(200));
        job.start();
        String first = session("ERROR", OLD);
        await().atMost(DEADLINE).until(() -> count("SELECT count(*) FROM sessions WHERE id = '" + first + "'") == 0);
        String second = session("TERMINATED", OLD);
        usage("daily", "session", second, OLD);
        await().atMost(DEADLINE).until(() -> count("SELECT count(*) FROM usage_totals WHERE owner = '" + second + "'") == 0);
    }

    @Test
    @DisplayName("OPS-02 a leader whose lease was revoked fails the fencing check and deletes nothing")
    void revokedLeaderDeletesNothing() throws Exception {
        String old = session("TERMINATED", OLD);
        usage("daily", "session", old, OLD);
        Leadership[] leadership = bed.leaderAndFollower(HistoryRetention.ELECTION, TTL);
        bed.etcd().getLeaseClient().revoke(leadership[0].leaseId().orElseThrow()).get(5, TimeUnit.SECONDS);

        HistoryRetention.Round round = retention(leadership[0], Duration.ofHours(1)).runOnce();
        assertFalse(round.ran());
        assertEquals(1, count("SELECT count(*) FROM sessions WHERE id = '" + old + "'"));
        assertEquals(1, count("SELECT count(*) FROM usage_totals WHERE owner = '" + old + "'"));
    }

    /** A session row; {@code terminatedAt} null for a live one (created 60 days ago). */
    private static String session(String status, Instant terminatedAt) throws Exception {
        String id = UUID.randomUUID().toString();
        try (Connection conn = TestDatabases.jdbc(bed.pg()); PreparedStatement insert = conn.prepareStatement("""
                INSERT INTO sessions (id, name, access_key, domain_name, project_name, scaling_group, session_type, cluster_mode,
                                      cluster_size, image, status, created_at, terminated_at, version)
                VALUES (?::uuid, 'old', 'AKIARETENTION', 'tenant-a', 'proj-a', 'default', 'interactive', 'single-node', 1, 'python:3', ?, ?, ?, 1)""")) {
            insert.setString(1, id);
            insert.setString(2, status);
            insert.setTimestamp(3, Timestamp.from(NOW.minus(60, ChronoUnit.DAYS)));
            insert.setTimestamp(4, terminatedAt == null ? null : Timestamp.from(terminatedAt));
            insert.executeUpdate();
        }
        return id;
    }

    private static void usage(String period, String kind, String owner, Instant windowStart) throws Exception {
        Instant windowEnd = windowStart.plus(1, period.equals("hourly") ? ChronoUnit.HOURS : ChronoUnit.DAYS);
        try (Connection conn = TestDatabases.jdbc(bed.pg()); PreparedStatement insert = conn.prepareStatement("""
                INSERT INTO usage_totals (period, owner_kind, owner, domain_name, window_start, window_end, cpu_used_seconds, samples, updated_at)
                VALUES (?, ?, ?, 'tenant-a', ?, ?, 1.5, 3, ?)""")) {
            insert.setString(1, period);
            insert.setString(2, kind);
            insert.setString(3, owner);
            insert.setTimestamp(4, Timestamp.from(windowStart));
            insert.setTimestamp(5, Timestamp.from(windowEnd));
            insert.setTimestamp(6, Timestamp.from(windowEnd));
            insert.executeUpdate();
        }
    }

    private static List<String> remainingUsage() throws Exception {
        return rows("SELECT period || ' ' || owner_kind || ' ' || owner || ' ' || "
                + "to_char(window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM usage_totals ORDER BY 1");
    }

    private static String snapshot() throws Exception {
        return rows("SELECT id::text FROM sessions ORDER BY 1") + " " + remainingUsage();
    }

    private static List<String> rows(String sql) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection conn = TestDatabases.jdbc(bed.pg()); Statement statement = conn.createStatement(); ResultSet result = statement.executeQuery(sql)) {
            while (result.next()) rows.add(result.getString(1));
        }
        return rows;
    }

    private static long count(String sql) throws Exception {
        return Long.parseLong(query(sql));
    }

    private static void execute(String sql) throws Exception {
        try (Connection conn = TestDatabases.jdbc(bed.pg()); Statement statement = conn.createStatement()) {
            statement.execute(sql);
        }
    }

    private static String query(String sql) throws Exception {
        try (Connection conn = TestDatabases.jdbc(bed.pg()); Statement statement = conn.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getString(1) : "";
        }
    }
}
