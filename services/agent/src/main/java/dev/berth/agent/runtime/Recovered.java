package dev.berth.agent.runtime;

import java.time.Instant;

/**
 * A kernel found again after a restart.
 *
 * @param kernel    its handle; when it ended meanwhile, its {@code exit()} is complete already
 * @param startedAt when it was started, to tell whether the control plane's command log still covers it
 */
public record Recovered(KernelSpec spec, RunningKernel kernel, Instant startedAt) {}
