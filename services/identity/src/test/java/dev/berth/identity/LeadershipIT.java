package dev.berth.identity;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cluster.TestEtcd;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Leader election on the project's etcd (skipped when it does not answer). */
class LeadershipIT {

    private static final Duration TTL = Duration.ofSeconds(3);
    /** Leadership moves within the TTL; the margin covers a loaded 2-core machine. */
    private static final Duration HANDOVER = TTL.plusSeconds(5);
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static String endpoint;
    private static Client etcd;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void connect() {
        endpoint = TestEtcd.endpoint();
        etcd = Leadership.client(endpoint);
    }

    @AfterAll
    static void disconnect() {
        if (etcd != null) etcd.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : closing.reversed()) closeable.close();
    }

    private static String election() {
        return "berth/test/leader-" + UUID.randomUUID();
    }

    private Leadership candidate(String election, String name) {
        Leadership leadership = new Leadership(etcd, election, name, TTL);
        closing.add(leadership);
        leadership.start();
        return leadership;
    }

    private static long keys(String election) throws Exception {
        ByteSequence prefix = ByteSequence.from(election + "/", StandardCharsets.UTF_8);
        return etcd.getKVClient().get(prefix, GetOption.builder().isPrefix(true).withCountOnly(true).build())
                .get(5, TimeUnit.SECONDS).getCount();
    }

    private static String leaderValue(String election) throws Exception {
        return etcd.getElectionClient().leader(ByteSequence.from(election, StandardCharsets.UTF_8))
                .get(5, TimeUnit.SECONDS).getKv().getValue().toString(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("OPS-01 of two candidates exactly one leads and passes the fencing check; closing it hands over within the TTL")
    void closingHandsOver() throws Exception {
        String election = election();
        Leadership a = candidate(election, "a");
        Leadership b = candidate(election, "b");

        await().atMost(DEADLINE).until(() -> a.isLeader() || b.isLeader());
        Leadership leader = a.isLeader() ? a : b;
        Leadership follower = leader == a ? b : a;
        await().atMost(DEADLINE).until(() -> keys(election) == 2); // the follower campaigns behind the leader
        assertFalse(follower.isLeader());
        assertTrue(leader.fence());
        assertFalse(follower.fence());
        assertEquals(leader.candidate(), leaderValue(election));
        assertTrue(leader.fencingToken().isPresent());

        long before = leader.fencingToken().getAsLong();
        leader.close();
        assertFalse(leader.isLeader());
        assertFalse(leader.fence());
        await().atMost(HANDOVER).until(follower::isLeader);
        assertTrue(follower.fence());
        assertEquals(follower.candidate(), leaderValue(election));
        assertTrue(follower.fencingToken().getAsLong() > before, "a new term has a higher fencing token");
    }

    @Test
    @DisplayName("OPS-02 a leader whose lease was revoked fails the fencing check at once; the other leads within the TTL, the old one campaigns again")
    void revokedLeaseEndsTheTerm() throws Exception {
        String election = election();
        Leadership a = candidate(election, "a");
        await().atMost(DEADLINE).until(a::isLeader);
        Leadership b = candidate(election, "b");
        await().atMost(DEADLINE).until(() -> keys(election) == 2);
        long lease = a.leaseId().orElseThrow();

        etcd.getLeaseClient().revoke(lease).get(5, TimeUnit.SECONDS);
        assertFalse(a.fence(), "a revoked lease fails the fencing check");
        assertFalse(a.isLeader(), "the failed check ends the term");
        await().atMost(HANDOVER).until(b::isLeader);
        assertTrue(b.fence());

        // the old leader notices at its next renewal and campaigns again on a new lease, behind b
        await().atMost(HANDOVER).until(() -> a.leaseId().isPresent() && a.leaseId().getAsLong() != lease && keys(election) == 2);
        assertFalse(a.isLeader());
        assertFalse(a.fence());
        assertEquals("b", leaderValue(election));
    }

    @Test
    @DisplayName("OPS-02 a leader cut off from etcd stops leading before another takes over, survives the outage and leads again later")
    void survivesAnUnreachableEtcd() throws Exception {
        String election = election();
        TcpProxy proxy = new TcpProxy(TestEtcd.PORT);
        closing.add(proxy);
        Leadership a = Leadership.connect("http://127.0.0.1:" + proxy.port(), election, "a", TTL);
        closing.add(a);
        a.start();
        await().atMost(DEADLINE).until(a::isLeader);
        Leadership b = candidate(election, "b");
        await().atMost(DEADLINE).until(() -> keys(election) == 2);

        String before = proxy.debug();
        proxy.cut();
        long t0 = System.nanoTime();
        boolean fenced = a.fence();
        assertFalse(fenced, "no answer from etcd fails the fencing check; proxy before cut: " + before + ", after: " + proxy.debug()
                + ", check took " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        await().atMost(HANDOVER).until(b::isLeader);
        // a's own lease deadline (counted from when it sent its last renewal) passed before etcd expired the lease
        assertFalse(a.isLeader(), "the cut-off leader stopped leading before b took over");

        proxy.restore();
        await().atMost(DEADLINE).until(() -> keys(election) == 2); // a is back and campaigns behind b
        assertFalse(a.isLeader());
        assertNotEquals("a", leaderValue(election));

        b.close();
        await().atMost(HANDOVER).until(a::isLeader);
        assertTrue(a.fence());
    }
}
