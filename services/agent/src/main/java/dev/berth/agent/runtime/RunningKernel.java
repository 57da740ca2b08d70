package dev.berth.agent.runtime;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** A kernel a runtime has started. */
public interface RunningKernel {

    /** How the runtime names it, e.g. {@code pid:1234} or a container id. */
    String containerId();

    /**
     * Completes with the exit code once the kernel has ended, however it ended. Callers attach
     * their exit callback here, after they have reported the start, so events stay in order.
     */
    CompletionStage<Integer> exit();

    /** Asks the kernel to end and forces it after {@code grace}; returns at once, {@link #exit()} tells the end. */
    void stop(Duration grace);
}
