package dev.berth.identity;

import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * A cluster-wide lock for a step that one instance at a time must run, such as creating the topics
 * at start: the instances campaign in an etcd election, the leader runs the step with its term as
 * the {@link Fence}, and resigns when it is done, which hands the lock to the next at once. A holder
 * that dies loses it when its lease expires (OPS-02), so no crash blocks the others for longer.
 */
public final class ClusterLock {

    /** The guarded step; it should check the fence right before it acts. */
    @FunctionalInterface
    public interface Step<T> {
        T run(Fence fence) throws Exception;
    }

    private ClusterLock() {}

    /**
     * Waits at most {@code wait} for the lock {@code name}, runs {@code step} while holding it, and releases it.
     *
     * @throws TimeoutException when the lock was not had in time (etcd away, or another holder that keeps it)
     */
    public static <T> T run(Client client, String name, String holder, Duration ttl, Duration wait, Step<T> step) throws Exception {
        try (Leadership turn = new Leadership(client, name, holder, ttl)) {
            turn.start();
            if (!turn.awaitLeadership(wait)) {
                throw new TimeoutException(holder + " did not get the lock " + name + " within " + wait.toSeconds() + " s: is etcd up?");
            }
            return step.run(turn);
        }
    }
}
