package dev.berth.agent;

import java.time.Instant;

/** What a restarted agent does with a kernel it finds still running. Pure. */
final class Recovery {

    /** Reason of the TERMINATED of a kernel no command asked for. */
    static final String UNKNOWN_KERNEL = "unknown-kernel";

    /** Keep watching the kernel, or stop it with {@code reason}. */
    sealed interface Verdict {
        record Keep() implements Verdict {}

        record Stop(String reason) implements Verdict {}
    }

    private Recovery() {}

    /**
     * A destroyed kernel is stopped with its destroy's reason; a created one is kept. A kernel with
     * neither, started after the history's start, was never asked for: stopped. One started before
     * the history's start may have had its create expire, so it is kept rather than killed on a guess.
     */
    static Verdict verdict(String kernelId, Instant startedAt, CommandHistory history) {
        String destroyReason = history.destroyed().get(kernelId);
        if (destroyReason != null) return new Verdict.Stop(destroyReason);
        if (history.created().contains(kernelId)) return new Verdict.Keep();
        return startedAt.isBefore(history.coversFrom()) ? new Verdict.Keep() : new Verdict.Stop(UNKNOWN_KERNEL);
    }
}
