package dev.berth.identity;

import static dev.berth.identity.TestDatabases.await;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cluster.TestEtcd;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** OPS-01/02 fenced writes and the cluster lock, on the real PostgreSQL and etcd (skipped when etcd does not answer). */
class FencedTransactionsIT {

    private static final Duration TTL = Duration.ofSeconds(3);
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static LeaderTestBed bed;

    @BeforeAll
    static void start() throws Exception {
        bed = LeaderTestBed.open(4);
        try (Connection conn = TestDatabases.jdbc(bed.pg()); Statement statement = conn.createStatement()) {
            statement.execute("CREATE TABLE guarded_writes (writer text NOT NULL)");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (bed != null) bed.close();
    }

    @BeforeEach
    void empty() throws Exception {
        try (Connection conn = TestDatabases.jdbc(bed.pg()); Statement statement = conn.createStatement()) {
            statement.execute("DELETE FROM guarded_writes");
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        bed.closeOpened();
    }

    private static String election() {
        return "berth/test/fenced-" + UUID.randomUUID();
    }

    private static Future<String> insert(SqlConnection conn, String writer) {
        return conn.preparedQuery("INSERT INTO guarded_writes (writer) VALUES ($1)").execute(Tuple.of(writer)).map(writer);
    }

    private static Set<String> writers() throws Exception {
        Set<String> writers = new HashSet<>();
        try (Connection conn = TestDatabases.jdbc(bed.pg()); Statement statement = conn.createStatement();
             ResultSet rows = statement.executeQuery("SELECT writer FROM guarded_writes")) {
            while (rows.next()) writers.add(rows.getString(1));
        }
        return writers;
    }

    private static Throwable failure(Future<?> future) {
        ExecutionException failed = assertThrows(ExecutionException.class,
                () -> future.toCompletionStage().toCompletableFuture().get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        return failed.getCause();
    }

    private static long keys(String prefix) throws Exception {
        return bed.etcd().getKVClient().get(ByteSequence.from(prefix + "/", StandardCharsets.UTF_8),
                GetOption.builder().isPrefix(true).withCountOnly(true).build()).get(5, TimeUnit.SECONDS).getCount();
    }

    @Test
    @DisplayName("OPS-01 the leader's fenced transaction commits and leaves its token in leader_fences; a follower's is refused and writes nothing")
    void leaderWritesFollowerDoesNot() throws Exception {
        String election = election();
        Leadership leader = bed.candidate(bed.etcd(), election, "leader", TTL);
        await().atMost(DEADLINE).until(leader::isLeader);
        Leadership follower = bed.candidate(bed.etcd(), election, "follower", TTL);

        assertEquals("leader", await(FencedTransactions.run(bed.pool(), leader, conn -> insert(conn, "leader"))));
        assertInstanceOf(FencedTransactions.Refused.class, failure(FencedTransactions.run(bed.pool(), follower, conn -> insert(conn, "follower"))));
        assertEquals(Set.of("leader"), writers());
        try (Connection conn = TestDatabases.jdbc(bed.pg()); Statement statement = conn.createStatement();
             ResultSet row = statement.executeQuery("SELECT token, holder FROM leader_fences WHERE name = '" + election + "'")) {
            assertTrue(row.next());
            assertEquals(leader.fencingToken().getAsLong(), row.getLong(1));
            assertEquals("leader", row.getString(2));
        }
    }

    @Test
    @DisplayName("OPS-02 a stale token is refused by PostgreSQL itself once a later term has written, even when its etcd check would pass")
    void staleTokenRefusedInTheWrite() throws Exception {
        String election = election();
        Leadership leader = bed.candidate(bed.etcd(), election, "current", TTL);
        await().atMost(DEADLINE).until(leader::isLeader);
        await(FencedTransactions.run(bed.pool(), leader, conn -> insert(conn, "current")));

        // an old leader that passed its etcd check just before it was paused: only the token in the write stops it
        FencingToken current = leader.token().orElseThrow();
        Fence paused = new Fence() {
            @Override
            public Optional<FencingToken> token() {
                return Optional.of(new FencingToken(election, "paused", current.lease(), current.revision() - 1));
            }

            @Override
            public CompletableFuture<Boolean> checkFence() {
                return CompletableFuture.completedFuture(true);
            }

            @Override
            public Duration leaseTtl() {
                return TTL;
            }
        };
        Throwable refused = failure(FencedTransactions.run(bed.pool(), paused, conn -> insert(conn, "paused")));
        assertInstanceOf(FencedTransactions.Refused.class, refused);
        assertTrue(refused.getMessage().contains("stale"), refused.getMessage());
        assertEquals(Set.of("current"), writers());
    }

    @Test
    @DisplayName("OPS-02 a leader paused mid-transaction and cut off from etcd commits nothing; PostgreSQL ends its transaction after the TTL, so the new leader's commits")
    void pausedLeaderIsRefused() throws Exception {
        String election = election();
        TcpProxy proxy = new TcpProxy(TestEtcd.PORT);
        bed.opened(proxy);
        Client cutOff = Leadership.client("http://127.0.0.1:" + proxy.port());
        bed.opened(cutOff);
        Leadership old = bed.candidate(cutOff, election, "old", TTL);
        await().atMost(DEADLINE).until(old::isLeader);
        Leadership next = bed.candidate(bed.etcd(), election, "next", TTL);
        await().atMost(DEADLINE).until(() -> keys(election) == 2);

        // the old leader claims its fence, writes, and is then paused before it commits
        Promise<String> resume = Promise.promise();
        CountDownLatch wrote = new CountDownLatch(1);
        Future<String> oldRound = FencedTransactions.run(bed.pool(), old, conn -> insert(conn, "old").compose(done -> {
            wrote.countDown();
            return resume.future();
        }));
        assertTrue(wrote.await(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        proxy.cut();
        await().atMost(DEADLINE).until(next::isLeader);

        // the paused transaction holds the fence row; PostgreSQL ends it once it has been idle for the TTL
        assertEquals("next", await(FencedTransactions.run(bed.pool(), next, conn -> insert(conn, "next"))));
        bed.vertx().runOnContext(go -> resume.complete("old"));
        failure(oldRound);
        assertEquals(Set.of("next"), writers(), "nothing of the paused leader's transaction was committed");
    }

    @Test
    @DisplayName("OPS-01 the cluster lock lets one holder run at a time; the next runs once the first is done, with a higher fencing token")
    void clusterLockRunsOneAtATime() throws Exception {
        String lock = "berth/test/lock-" + UUID.randomUUID();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        List<Long> tokens = new CopyOnWriteArrayList<>();
        ClusterLock.Step<String> step = fence -> {
            mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
            tokens.add(fence.token().orElseThrow().revision());
            try {
                assertTrue(fence.checkFence().get(5, TimeUnit.SECONDS));
                release.await(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                return "done";
            } finally {
                inside.decrementAndGet();
            }
        };
        // a thread each: the common pool may have a single one on a small machine
        var threads = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().daemon(true).factory());
        bed.opened(threads::shutdownNow);
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> run(lock, "first", step), threads);
        await().atMost(DEADLINE).until(() -> inside.get() == 1);
        CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> run(lock, "second", step), threads);
        await().atMost(DEADLINE).until(() -> keys(lock) == 2); // the second waits behind the first
        assertEquals(1, tokens.size());

        release.countDown();
        assertEquals("done", first.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        assertEquals("done", second.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        assertEquals(1, mostInside.get(), "never two holders at once");
        assertEquals(2, tokens.size());
        assertTrue(tokens.get(1) > tokens.get(0), "the second term's token is higher: " + tokens);
        await().atMost(DEADLINE).until(() -> keys(lock) == 0); // released
    }

    private static String run(String lock, String holder, ClusterLock.Step<String> step) {
        try {
            return ClusterLock.run(bed.etcd(), lock, holder, TTL, DEADLINE, step);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
