package dev.berth.agent.runtime;

import java.util.List;

/** Where kernels run: local processes, containers, or a simulation. */
public interface KernelRuntime extends AutoCloseable {

    /** The name agents report in their heartbeats: docker, process or simulated. */
    String name();

    /**
     * Starts a kernel and returns once it runs; its end is reported through {@link RunningKernel#exit()}.
     *
     * @throws KernelStartException when the kernel cannot be started, with a reason fit for the user
     */
    RunningKernel start(KernelSpec spec, StartListener listener) throws KernelStartException;

    default RunningKernel start(KernelSpec spec) throws KernelStartException {
        return start(spec, StartListener.NONE);
    }

    /** The kernels an earlier run of this agent left behind, running or ended since. */
    List<Recovered> recover();

    @Override
    default void close() {}
}
