package dev.berth.common;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Named health checks of one process. A check may be slow (a network round trip), so each runs
 * with a deadline and counts as down when it misses it.
 */
public final class HealthRegistry {

    private static final java.util.concurrent.Executor BLOCKING = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    private final Map<String, Supplier<CompletionStage<Check>>> checks = new ConcurrentHashMap<>();
    private final Duration deadline;

    public HealthRegistry(Duration deadline) {
        this.deadline = deadline;
    }

    public void register(String name, Supplier<CompletionStage<Check>> check) {
        checks.put(name, check);
    }

    /** A check that is cheap and answers at once (for example, a state read from memory). */
    public void registerNow(String name, Supplier<Check> check) {
        checks.put(name, () -> CompletableFuture.completedFuture(check.get()));
    }

    /** A check that blocks (a synchronous round trip); it runs on a virtual thread of its own. */
    public void registerBlocking(String name, Supplier<Check> check) {
        checks.put(name, () -> CompletableFuture.supplyAsync(check, BLOCKING));
    }

    /** Runs every check at once; the result keeps the names in sorted order. */
    public CompletableFuture<Map<String, Check>> runAll() {
        Map<String, CompletableFuture<Check>> running = new java.util.TreeMap<>();
        checks.forEach((name, check) -> running.put(name, run(check)));
        return CompletableFuture.allOf(running.values().toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            Map<String, Check> out = new LinkedHashMap<>();
            running.forEach((name, future) -> out.put(name, future.join()));
            return out;
        });
    }

    private CompletableFuture<Check> run(Supplier<CompletionStage<Check>> check) {
        // a future of our own: some stages (Kafka's) refuse to be completed by the caller
        CompletableFuture<Check> result = new CompletableFuture<>();
        try {
            check.get().whenComplete((outcome, e) -> result.complete(e == null ? outcome : Check.down(rootMessage(e))));
        } catch (RuntimeException e) {
            result.complete(Check.down(rootMessage(e)));
        }
        return result.completeOnTimeout(Check.down("no answer within " + deadline.toMillis() + " ms"),
                deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
