package dev.berth.identity;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.election.CampaignResponse;
import io.etcd.jetcd.election.LeaderKey;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on etcd (OPS-01, OPS-02): one background thread grants a lease with a TTL,
 * campaigns with etcd's Election API on it and keeps it alive (every TTL / 3) while it waits and
 * while it leads. Leadership ends when the lease is lost (revoked, expired, or not renewed in time
 * because etcd was unreachable) or the election key is gone; the thread then campaigns again with a
 * new lease. An unreachable etcd is logged once per outage and retried every second; it never ends
 * the thread. {@link #close()} revokes the lease, which hands leadership over at once.
 *
 * <p>{@link #isLeader()} is this instance's belief, cheap enough to ask before each round of work.
 * Before each write the work must also pass {@link #fence()}: it asks etcd (one txn comparing the
 * election key's create revision) whether the key this instance won with still exists, which it
 * does only while the lease is live, and it refuses once the locally known lease deadline (measured
 * from when the last renewal was sent) has passed. A leader that was paused past its TTL therefore
 * fails the check even before its thread notices.
 */
public final class Leadership implements Fence, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Leadership.class);
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final Duration MIN_RPC_TIMEOUT = Duration.ofMillis(500);
    private static final Duration MAX_RPC_TIMEOUT = Duration.ofSeconds(3);

    /** A won election: the key this instance created under the election name, on its lease. */
    private record Term(LeaderKey key, long lease) {}

    /** The lease is gone, or the key that made this instance leader is: campaign again. */
    private static final class LeaseLost extends Exception {
        LeaseLost(String message) {
            super(message, null, false, false);
        }
    }

    /** etcd did not answer, or answered with an error that says nothing about the lease. */
    private static final class EtcdFailure extends Exception {
        EtcdFailure(Throwable cause) {
            super(describe(cause), cause, false, false);
        }
    }

    private final Client client;
    private final boolean ownsClient;
    private final String electionName;
    private final ByteSequence election;
    private final String candidate;
    private final long ttlSeconds;
    private final long renewNanos;
    private final Duration rpcTimeout;
    private final Thread thread;
    private final AtomicReference<Term> term = new AtomicReference<>();
    /** The current lease (granted, maybe not yet won with), 0 when none needs revoking. */
    private volatile long leaseId;
    /** System.nanoTime() by which the current lease has expired at the latest, as far as this instance knows. */
    private volatile long leaseDeadline;
    private volatile boolean closed;
    /** Driver thread only. */
    private long nextRenewal;
    private boolean reachable = true;

    /**
     * A candidate in {@code electionName} (an etcd key prefix, e.g. {@code berth/leader/history-retention}),
     * on {@code client}, which the caller keeps and closes. Campaigning starts with {@link #start()}.
     *
     * @param candidate this instance's name, stored as the election key's value (e.g. host and pid)
     * @param ttl       the lease TTL, whole seconds of at least 2 (etcd's minimum); leadership moves
     *                  at the latest this long after a leader stops renewing
     */
    public Leadership(Client client, String electionName, String candidate, Duration ttl) {
        this(client, false, electionName, candidate, ttl);
    }

    private Leadership(Client client, boolean ownsClient, String electionName, String candidate, Duration ttl) {
        if (electionName == null || electionName.isBlank()) throw new IllegalArgumentException("election name is empty");
        if (ttl.compareTo(Duration.ofSeconds(2)) < 0) throw new IllegalArgumentException("lease TTL must be at least 2 s, got " + ttl);
        this.client = client;
        this.ownsClient = ownsClient;
        this.electionName = electionName;
        this.election = bytes(electionName);
        this.candidate = candidate;
        this.ttlSeconds = ttl.toSeconds() + (ttl.toNanosPart() == 0 ? 0 : 1);
        this.renewNanos = TimeUnit.SECONDS.toNanos(ttlSeconds) / 3;
        Duration third = Duration.ofNanos(renewNanos);
        this.rpcTimeout = third.compareTo(MIN_RPC_TIMEOUT) < 0 ? MIN_RPC_TIMEOUT : third.compareTo(MAX_RPC_TIMEOUT) > 0 ? MAX_RPC_TIMEOUT : third;
        this.thread = Thread.ofPlatform().name("berth-leadership-" + electionName).daemon(true).unstarted(this::run);
    }

    /**
     * The election of a job that works on one database: installations that share etcd but not their
     * tables (another database or schema) each get a leader of their own.
     */
    public static String electionFor(String job, PgSettings pg) {
        return electionFor(job, pg.database(), pg.schema());
    }

    public static String electionFor(String job, String database, String schema) {
        return job + "/" + database + "/" + schema;
    }

    /** A candidate with its own etcd client (closed with it); {@code endpoints} e.g. {@code http://127.0.0.1:12379}, comma-separated. */
    public static Leadership connect(String endpoints, String electionName, String candidate, Duration ttl) {
        return new Leadership(client(endpoints), true, electionName, candidate, ttl);
    }

    /**
     * An etcd client for leases: calls fail at once while etcd is unreachable (instead of queueing
     * until it is back, by when a lease may long have expired); this class times every call out.
     */
    public static Client client(String endpoints) {
        return Client.builder()
                .endpoints(Arrays.stream(endpoints.split(",")).map(String::strip).filter(e -> !e.isEmpty()).toArray(String[]::new))
                .waitForReady(false)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    /** Starts campaigning in the background. */
    public void start() {
        thread.start();
    }

    public String electionName() {
        return electionName;
    }

    @Override
    public Duration leaseTtl() {
        return Duration.ofSeconds(ttlSeconds);
    }

    public String candidate() {
        return candidate;
    }

    /** Whether this instance believes it leads now; a write must still pass {@link #fence()}. */
    public boolean isLeader() {
        return !closed && term.get() != null && System.nanoTime() - leaseDeadline < 0;
    }

    /** The create revision of the election key while leading: grows with every new term, usable as a fencing token. */
    public OptionalLong fencingToken() {
        Term held = term.get();
        return held == null ? OptionalLong.empty() : OptionalLong.of(held.key().getRevision());
    }

    @Override
    public Optional<FencingToken> token() {
        Term held = term.get();
        return held == null ? Optional.empty()
                : Optional.of(new FencingToken(electionName, candidate, held.lease(), held.key().getRevision()));
    }

    /**
     * Blocks until this instance leads or {@code timeout} has passed; true when it leads. Lets a
     * start-up step wait for its turn (see {@link ClusterLock}).
     */
    public boolean awaitLeadership(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (term) {
            while (!isLeader()) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) return false;
                // woken when a term begins; the bound also covers a term that ended meanwhile
                term.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
            }
            return true;
        }
    }

    /** The lease this instance campaigns or leads on, if any (for operators and tests). */
    public OptionalLong leaseId() {
        long lease = leaseId;
        return lease == 0 ? OptionalLong.empty() : OptionalLong.of(lease);
    }

    /**
     * The fencing check, to run right before each write: true only if this instance leads, its lease
     * has not passed its known deadline, and etcd confirms that the election key it won with still
     * exists with the same create revision. False (never an exception) when etcd does not answer in
     * time. A failed check ends the term at once.
     */
    @Override
    public CompletableFuture<Boolean> checkFence() {
        Term held = term.get();
        if (closed || held == null || System.nanoTime() - leaseDeadline >= 0) return CompletableFuture.completedFuture(false);
        return client.getKVClient().txn()
                .If(new Cmp(held.key().getKey(), Cmp.Op.EQUAL, CmpTarget.createRevision(held.key().getRevision())))
                .commit()
                .orTimeout(rpcTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((response, failure) -> {
                    if (failure != null) {
                        log.warn("fencing check of {} got no answer from etcd: {}", electionName, describe(failure));
                        return false;
                    }
                    if (!response.isSucceeded()) {
                        if (term.compareAndSet(held, null)) log.warn("{} no longer leads {}: the fencing check found its election key gone", candidate, electionName);
                        return false;
                    }
                    return term.get() == held && !closed && System.nanoTime() - leaseDeadline < 0;
                });
    }

    /** {@link #checkFence()}, blocking for at most the RPC timeout. */
    public boolean fence() {
        try {
            return checkFence().get(rpcTimeout.toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    private void run() {
        while (!closed) {
            boolean led = false;
            try {
                long lease = grant();
                Term won = campaign(lease);
                led = true;
                lead(won);
            } catch (InterruptedException e) {
                break;
            } catch (LeaseLost e) {
                if (closed) break;
                // a term the fencing check already ended was logged there
                if (led && term.get() != null) log.warn("{} no longer leads {}: {}; campaigning again", candidate, electionName, e.getMessage());
                else log.info("{} campaigns again for {}: {}", candidate, electionName, e.getMessage());
            } catch (EtcdFailure e) {
                if (closed) break;
                unreachable(e);
                try {
                    Thread.sleep(RETRY);
                } catch (InterruptedException interrupted) {
                    break;
                }
            } finally {
                term.set(null);
                if (!closed) revokeQuietly();
            }
        }
    }

    private long grant() throws InterruptedException, EtcdFailure, LeaseLost {
        long sent = System.nanoTime();
        long lease = await(client.getLeaseClient().grant(ttlSeconds)).getID();
        leaseId = lease;
        leaseDeadline = sent + TimeUnit.SECONDS.toNanos(ttlSeconds);
        nextRenewal = sent + renewNanos;
        reachable();
        return lease;
    }

    /** Waits until the campaign is won, renewing the lease meanwhile. */
    private Term campaign(long lease) throws InterruptedException, EtcdFailure, LeaseLost {
        CompletableFuture<CampaignResponse> campaign = client.getElectionClient().campaign(election, lease, bytes(candidate));
        try {
            while (true) {
                if (closed) throw new InterruptedException();
                try {
                    LeaderKey key = campaign.get(Math.max(0, nextRenewal - System.nanoTime()), TimeUnit.NANOSECONDS).getLeader();
                    reachable();
                    Term won = new Term(key, lease);
                    // etcd answers a campaign once the keys before this one are gone, even if this
                    // instance's lease (and so its key) ended while it waited
                    if (!holds(won)) throw new LeaseLost("the campaign was won, but the election key is already gone");
                    return won;
                } catch (TimeoutException e) {
                    renew(lease);
                } catch (ExecutionException e) {
                    throw failure(e.getCause());
                }
            }
        } finally {
            campaign.cancel(false);
        }
    }

    private void lead(Term won) throws InterruptedException, LeaseLost {
        term.set(won);
        synchronized (term) {
            term.notifyAll();
        }
        log.info("{} leads {} (lease {}, revision {})", candidate, electionName, Long.toHexString(won.lease()), won.key().getRevision());
        while (!closed) {
            long wait = nextRenewal - System.nanoTime();
            if (wait > 0) Thread.sleep(Duration.ofNanos(wait));
            renew(won.lease());
            if (term.get() != won) throw new LeaseLost("the fencing check found the election key gone");
            try {
                if (!holds(won)) throw new LeaseLost("the election key is gone");
            } catch (EtcdFailure e) {
                unreachable(e); // the lease deadline decides
            }
        }
    }

    /** Keeps the lease alive; while etcd is away it tries again soon, until the lease's deadline has passed. */
    private void renew(long lease) throws InterruptedException, LeaseLost {
        long sent = System.nanoTime();
        try {
            long ttl = await(client.getLeaseClient().keepAliveOnce(lease)).getTTL();
            if (ttl <= 0) throw new LeaseLost("lease " + Long.toHexString(lease) + " expired");
            leaseDeadline = sent + TimeUnit.SECONDS.toNanos(ttl);
            nextRenewal = sent + Math.min(renewNanos, TimeUnit.SECONDS.toNanos(ttl) / 3);
            reachable();
        } catch (EtcdFailure e) {
            unreachable(e);
            long now = System.nanoTime();
            if (now - leaseDeadline >= 0) throw new LeaseLost("lease " + Long.toHexString(lease) + " expired while etcd was unreachable");
            nextRenewal = now + Math.min(renewNanos / 2, leaseDeadline - now);
        }
    }

    /** Whether the key of {@code won} still exists as created (and so its lease is live). */
    private boolean holds(Term won) throws InterruptedException, EtcdFailure, LeaseLost {
        return await(client.getKVClient().txn()
                .If(new Cmp(won.key().getKey(), Cmp.Op.EQUAL, CmpTarget.createRevision(won.key().getRevision())))
                .commit()).isSucceeded();
    }

    /** Revokes the current lease (its election key goes with it); a lease that cannot be revoked expires after its TTL. */
    private void revokeQuietly() {
        long lease = leaseId;
        if (lease == 0) return;
        boolean interrupted = Thread.interrupted();
        try {
            client.getLeaseClient().revoke(lease).get(rpcTimeout.toMillis(), TimeUnit.MILLISECONDS);
            leaseId = 0;
        } catch (ExecutionException e) {
            if (notFound(e.getCause())) leaseId = 0;
            else log.debug("could not revoke lease {} of {}: {}", Long.toHexString(lease), electionName, describe(e.getCause()));
        } catch (TimeoutException e) {
            log.debug("could not revoke lease {} of {} in time", Long.toHexString(lease), electionName);
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private <T> T await(CompletableFuture<T> call) throws InterruptedException, EtcdFailure, LeaseLost {
        try {
            return call.get(rpcTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        } catch (TimeoutException e) {
            call.cancel(false);
            throw new EtcdFailure(new TimeoutException("no answer within " + rpcTimeout.toMillis() + " ms"));
        }
    }

    /** The failure to throw for a failed call: the lease is gone when etcd says it is not found. */
    private static EtcdFailure failure(Throwable failure) throws LeaseLost {
        if (notFound(failure)) throw new LeaseLost(describe(failure));
        return new EtcdFailure(failure);
    }

    /** etcd's "requested lease not found" (and any other NOT_FOUND) means the lease is gone. */
    private static boolean notFound(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof EtcdException etcd && etcd.getErrorCode() == ErrorCode.NOT_FOUND) return true;
            if (cause instanceof StatusRuntimeException status && status.getStatus().getCode() == Status.Code.NOT_FOUND) return true;
            if (cause.getMessage() != null && cause.getMessage().contains("lease not found")) return true;
        }
        return false;
    }

    private void unreachable(EtcdFailure e) {
        if (reachable) {
            reachable = false;
            log.warn("etcd is unreachable for election {} ({}); {} keeps trying every {} ms", electionName, e.getMessage(), candidate, RETRY.toMillis());
        } else {
            log.debug("etcd still unreachable for election {}: {}", electionName, e.getMessage());
        }
    }

    private void reachable() {
        if (!reachable) {
            reachable = true;
            log.info("etcd answers again for election {}", electionName);
        }
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof ExecutionException || cause instanceof java.util.concurrent.CompletionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    /** Stops campaigning and revokes the lease, so another candidate leads at once. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        boolean led = term.getAndSet(null) != null;
        if (thread.getState() != Thread.State.NEW) {
            thread.interrupt();
            try {
                thread.join(rpcTimeout.plusSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long lease = leaseId;
        if (lease != 0) {
            try {
                client.getLeaseClient().revoke(lease).get(rpcTimeout.toMillis(), TimeUnit.MILLISECONDS);
                leaseId = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                if (!notFound(e.getCause())) {
                    log.warn("could not revoke lease {} of {} ({}); it expires within {} s",
                            Long.toHexString(lease), electionName, e.getCause() == null ? e : describe(e.getCause()), ttlSeconds);
                }
            }
        }
        if (led) log.info("{} resigned from {}", candidate, electionName);
        if (ownsClient) client.close();
    }
}
