package dev.berth.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.identity.Leadership;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two processes compete in an etcd election (on the project's etcd, an election of the test's
 * own). The leader is killed with SIGKILL in the middle of its job, so it neither resigns nor
 * revokes its lease; the other must lead within the lease's TTL plus a margin, and a write fenced
 * with the dead leader's token must be refused while the new leader's go through.
 */
class LeaderKillIT {

    private static final Duration TTL = Duration.ofSeconds(3);
    /** The lease runs out within the TTL of the leader's last renewal; the margin covers a loaded 2-core machine. */
    private static final Duration HANDOVER = TTL.plusSeconds(5);
    private static final Duration READY = Duration.ofSeconds(60);

    private final Path dir = Path.of("target", "faults", "leader-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
    private final String election = "berth/test/faults-" + UUID.randomUUID();
    private final List<ChildJvm> candidates = new ArrayList<>();

    @AfterEach
    void stop() {
        for (ChildJvm candidate : candidates) candidate.close();
    }

    /** A line {@code LEADER <name> <key> <token>} a candidate printed. */
    private record Term(String name, String key, long token) {}

    @Test
    @DisplayName("OPS-01 a leader killed during its job is replaced within the lease TTL, and its fencing token is refused")
    void killedLeaderIsReplaced() throws Exception {
        String endpoint = etcdEndpoint();
        ChildJvm a = candidate("candidate-a", endpoint);
        ChildJvm b = candidate("candidate-b", endpoint);

        Term first = await().atMost(READY).pollInterval(Duration.ofMillis(100)).until(() -> term(a).or(() -> term(b)), Optional::isPresent).get();
        ChildJvm leader = first.name().equals(a.name()) ? a : b;
        ChildJvm follower = leader == a ? b : a;
        // mid-job: it has written a few times and goes on writing
        await().atMost(READY).pollInterval(Duration.ofMillis(100)).until(() -> workDone(leader, first.token()) >= 5);
        assertFalse(term(follower).isPresent(), "only one leads at a time");

        leader.kill();
        Term second = await().atMost(HANDOVER).pollInterval(Duration.ofMillis(50)).until(() -> term(follower), Optional::isPresent).get();
        assertTrue(second.token() > first.token(), "a new term has a larger token: " + first + " then " + second);
        await().atMost(READY).pollInterval(Duration.ofMillis(100)).until(() -> workDone(follower, second.token()) >= 3);

        try (Client etcd = Leadership.client(endpoint)) {
            assertFalse(LeaderCandidate.fencedWrite(etcd, election, first.key(), first.token(), "late write of the dead leader"),
                    "a write fenced with the dead leader's token is refused");
            String work = etcd.getKVClient().get(LeaderCandidate.bytes(election + "-work")).get(5, TimeUnit.SECONDS)
                    .getKvs().getFirst().getValue().toString(StandardCharsets.UTF_8);
            assertTrue(work.startsWith(follower.name() + ":"), "the job's last write is the new leader's: " + work);
            etcd.getKVClient().delete(LeaderCandidate.bytes(election + "-work")).get(5, TimeUnit.SECONDS);
        }
    }

    private ChildJvm candidate(String name, String endpoint) {
        ChildJvm child = ChildJvm.start(name, LeaderCandidate.class, Map.of("FAULT_ETCD", endpoint, "FAULT_ELECTION", election,
                "FAULT_NAME", name, "FAULT_TTL_SECONDS", Long.toString(TTL.toSeconds())), dir);
        candidates.add(child);
        return child;
    }

    private static Optional<Term> term(ChildJvm candidate) {
        return candidate.output().lines().filter(line -> line.startsWith("LEADER ")).reduce((x, y) -> y).map(line -> {
            String[] parts = line.split(" ");
            return new Term(parts[1], parts[2], Long.parseLong(parts[3]));
        });
    }

    private static long workDone(ChildJvm candidate, long token) {
        String prefix = "WORK " + candidate.name() + " " + token + " ";
        return candidate.output().lines().filter(line -> line.startsWith(prefix)).count();
    }

    /** The project's etcd (BERTH_ETCD_PORT, default 12379); the test is skipped, saying why, when nothing listens there. */
    private static String etcdEndpoint() {
        int port = Integer.parseInt(FaultEnv.sharedEtcdPort());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        } catch (IOException e) {
            Assumptions.abort("no etcd on 127.0.0.1:" + port + " (start it with infra/servers.sh up etcd): " + e.getMessage());
        }
        return "http://127.0.0.1:" + port;
    }
}
