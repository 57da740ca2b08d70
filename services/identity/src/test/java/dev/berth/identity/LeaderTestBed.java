package dev.berth.identity;

import static dev.berth.identity.TestDatabases.await;
import static org.awaitility.Awaitility.await;

import dev.berth.cluster.TestEtcd;
import io.etcd.jetcd.Client;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What the tests of leader-only jobs share: a client of the project's etcd (the test is skipped
 * when it does not answer), a fresh migrated schema with a pool on it, and the candidates and jobs
 * a test opens, closed after it.
 */
final class LeaderTestBed implements AutoCloseable {

    private static final Duration ELECTED = Duration.ofSeconds(30);

    private final Client etcd;
    private final PgSettings pg;
    private final Vertx vertx;
    private final Pool pool;
    private final List<AutoCloseable> opened = new ArrayList<>();

    private LeaderTestBed(Client etcd, PgSettings pg, Vertx vertx, Pool pool) {
        this.etcd = etcd;
        this.pg = pg;
        this.vertx = vertx;
        this.pool = pool;
    }

    static LeaderTestBed open(int poolSize) {
        Client etcd = Leadership.client(TestEtcd.endpoint());
        PgSettings pg = TestDatabases.freshSchema();
        Migrations.migrate(pg);
        Vertx vertx = Vertx.vertx();
        return new LeaderTestBed(etcd, pg, vertx, pg.pool(vertx, poolSize));
    }

    Client etcd() {
        return etcd;
    }

    PgSettings pg() {
        return pg;
    }

    Pool pool() {
        return pool;
    }

    Vertx vertx() {
        return vertx;
    }

    /** Closed, last opened first, by {@link #closeOpened}. */
    <T extends AutoCloseable> T opened(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    /** A started candidate in {@code election} through {@code client}. */
    Leadership candidate(Client client, String election, String name, Duration ttl) {
        Leadership leadership = opened(new Leadership(client, election, name, ttl));
        leadership.start();
        return leadership;
    }

    /** A leader and a follower in a fresh election of {@code job}, the leader elected first. */
    Leadership[] leaderAndFollower(String job, Duration ttl) {
        String election = job + "-test-" + UUID.randomUUID();
        Leadership leader = candidate(etcd, election, "leader", ttl);
        await().atMost(ELECTED).until(leader::isLeader);
        return new Leadership[] {leader, candidate(etcd, election, "follower", ttl)};
    }

    /** For {@code @AfterEach}. */
    void closeOpened() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) closeable.close();
        opened.clear();
    }

    @Override
    public void close() throws Exception {
        closeOpened();
        await(pool.close());
        await(vertx.close());
        TestDatabases.drop(pg);
        etcd.close();
    }
}
