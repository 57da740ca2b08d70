package dev.berth.agent.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Kernels that exist only in memory, for benchmarks with thousands of agents in one JVM. A kernel
 * with a command ends by itself with exit code 0 after {@code runFor}; one without (interactive)
 * runs until it is stopped, and then ends with 143 as a process ended by SIGTERM does. Nothing
 * survives the JVM, so there is nothing to recover.
 */
public final class SimulatedRuntime implements KernelRuntime {

    static final int STOPPED_EXIT_CODE = 143;

    private final Duration runFor;
    private final ScheduledExecutorService timers;
    private final AtomicLong ids = new AtomicLong();

    /** @param timers shared by every simulated agent; the runtime only schedules short tasks on it */
    public SimulatedRuntime(Duration runFor, ScheduledExecutorService timers) {
        if (runFor.isNegative()) throw new IllegalArgumentException("runFor must not be negative, got " + runFor);
        this.runFor = runFor;
        this.timers = timers;
    }

    @Override
    public String name() {
        return "simulated";
    }

    @Override
    public RunningKernel start(KernelSpec spec, StartListener listener) {
        SimulatedKernel kernel = new SimulatedKernel("sim:" + ids.incrementAndGet());
        if (spec.command() != null) {
            kernel.timer = timers.schedule(() -> kernel.exit.complete(0), runFor.toMillis(), TimeUnit.MILLISECONDS);
        }
        return kernel;
    }

    @Override
    public List<Recovered> recover() {
        return List.of();
    }

    private final class SimulatedKernel implements RunningKernel {
        private final String id;
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();
        private volatile ScheduledFuture<?> timer;

        SimulatedKernel(String id) {
            this.id = id;
        }

        @Override
        public String containerId() {
            return id;
        }

        @Override
        public CompletionStage<Integer> exit() {
            return exit;
        }

        @Override
        public void stop(Duration grace) {
            ScheduledFuture<?> pending = timer;
            if (pending != null) pending.cancel(false);
            timers.execute(() -> exit.complete(STOPPED_EXIT_CODE));
        }

        @Override
        public Optional<Usage> usage() {
            return Optional.empty();
        }

        @Override
        public String output(int maxBytes) {
            return "";
        }

        @Override
        public void release() {}
    }
}
