package dev.berth.agent.runtime;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** A kernel a runtime has started, or found again after the agent restarted. */
public interface RunningKernel {

    /** How the runtime names it, e.g. {@code pid:1234} or a container id. */
    String containerId();

    /**
     * Completes with the exit code once the kernel has ended, however it ended; {@code null} when
     * the code could not be known. Callers attach their exit callback here, after they have
     * reported the start, so events stay in order.
     */
    CompletionStage<Integer> exit();

    /** Asks the kernel to end and forces it after {@code grace}; returns at once, {@link #exit()} tells the end. */
    void stop(Duration grace);

    /** The kernel's counters now; empty when the runtime cannot read them (or the kernel has ended). */
    Optional<Usage> usage();

    /** The end of the kernel's combined stdout and stderr, at most {@code maxBytes} bytes of UTF-8. */
    String output(int maxBytes);

    /** Frees what the kernel still holds after its end has been reported (container, network). */
    void release();
}
