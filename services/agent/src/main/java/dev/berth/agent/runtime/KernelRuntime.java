package dev.berth.agent.runtime;

/** Where kernels run: local processes, containers, or a simulation. */
public interface KernelRuntime {

    /** The name agents report in their heartbeats: docker, process or simulated. */
    String name();

    /**
     * Starts a kernel and returns once it runs; its end is reported through {@link RunningKernel#exit()}.
     *
     * @throws KernelStartException when the kernel cannot be started at all
     */
    RunningKernel start(KernelSpec spec) throws KernelStartException;
}
