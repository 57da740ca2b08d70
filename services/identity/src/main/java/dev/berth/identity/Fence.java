package dev.berth.identity;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A term on an etcd lease that guarded work must still hold when it acts: a leader of an election,
 * or the holder of a lock. Work checks {@link #checkFence()} right before it acts and, where it
 * writes to PostgreSQL, passes the token into the write too ({@link FencedTransactions}), so a
 * holder that was paused past its lease acts on nothing.
 */
public interface Fence {

    /** The term held now, empty when none is. */
    Optional<FencingToken> token();

    /** True only while the term is held and etcd confirms its key still exists; false (never an exception) when etcd does not answer in time. */
    CompletableFuture<Boolean> checkFence();

    /** The lease's TTL: a holder that stops renewing loses the term at the latest this long after. */
    Duration leaseTtl();
}
