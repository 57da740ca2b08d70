package dev.berth.faults;

import dev.berth.identity.Leadership;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A process competing in an etcd election through {@link Leadership}, as the API's leader-only
 * jobs do. While it leads it does its job: a write every 100 ms that etcd applies only while the
 * election key it won with still exists at its create revision (its fencing token), so a term
 * that ended can write nothing. It reports on stdout, one line each:
 * {@code LEADER <name> <election key> <token>}, {@code WORK <name> <token> <step>} and
 * {@code REFUSED <name> <token> <step>}.
 *
 * <p>Environment: FAULT_ETCD (endpoints), FAULT_ELECTION (the election's key prefix), FAULT_NAME,
 * FAULT_TTL_SECONDS.
 */
public final class LeaderCandidate {

    private static final Duration STEP = Duration.ofMillis(100);

    private LeaderCandidate() {}

    public static void main(String[] args) throws Exception {
        String endpoints = System.getenv("FAULT_ETCD");
        String election = System.getenv("FAULT_ELECTION");
        String name = System.getenv("FAULT_NAME");
        Duration ttl = Duration.ofSeconds(Long.parseLong(System.getenv("FAULT_TTL_SECONDS")));
        try (Client etcd = Leadership.client(endpoints); Leadership leadership = new Leadership(etcd, election, name, ttl)) {
            leadership.start();
            long heldToken = -1;
            for (long step = 0; ; step++) {
                Thread.sleep(STEP); // the job's own pace, not a synchronisation
                if (!leadership.isLeader()) continue;
                long token = leadership.fencingToken().orElse(-1);
                String key = electionKey(election, leadership.leaseId().orElse(0));
                if (token != heldToken) {
                    heldToken = token;
                    System.out.println("LEADER " + name + " " + key + " " + token);
                }
                boolean written = fencedWrite(etcd, election, key, token, name + ":" + step);
                System.out.println((written ? "WORK " : "REFUSED ") + name + " " + token + " " + step);
            }
        }
    }

    /** etcd's election API names a candidate's key after its lease: {@code <election>/<lease id in hex>}. */
    static String electionKey(String election, long lease) {
        return election + "/" + Long.toHexString(lease);
    }

    /** Puts {@code value} under {@code <election>-work} only if {@code electionKey} still exists with create revision {@code token}. */
    static boolean fencedWrite(Client etcd, String election, String electionKey, long token, String value) throws Exception {
        return etcd.getKVClient().txn()
                .If(new Cmp(bytes(electionKey), Cmp.Op.EQUAL, CmpTarget.createRevision(token)))
                .Then(Op.put(bytes(election + "-work"), bytes(value), PutOption.DEFAULT))
                .commit()
                .get(5, TimeUnit.SECONDS)
                .isSucceeded();
    }

    static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }
}
