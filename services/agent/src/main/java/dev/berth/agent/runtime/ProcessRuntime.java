package dev.berth.agent.runtime;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each kernel as a local {@code /bin/sh -c <command>} process, for machines without a
 * container engine. The kernel's image is ignored: the command runs on the agent's own system.
 *
 * <p>Each kernel gets {@code <stateDir>/agents/<agentId>/kernels/<kernelId>/} as working directory
 * and HOME, with its output appended to {@code stdout.log} and {@code stderr.log} there.
 */
public final class ProcessRuntime implements KernelRuntime {

    private static final Logger log = LoggerFactory.getLogger(ProcessRuntime.class);
    /** Kernel ids become directory names: nothing that could climb out of the kernels directory. */
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final String INTERACTIVE = "exec sleep infinity";
    private static final String FALLBACK_PATH = "/usr/local/bin:/usr/bin:/bin";

    private final Path kernelsDir;

    public ProcessRuntime(Path stateDir, String agentId) {
        if (!SAFE_ID.matcher(agentId).matches()) throw new IllegalArgumentException("unsafe agent id for a directory name: " + agentId);
        this.kernelsDir = stateDir.resolve("agents").resolve(agentId).resolve("kernels");
    }

    /** The directory a kernel runs in. */
    public Path workDir(String kernelId) {
        return kernelsDir.resolve(kernelId);
    }

    @Override
    public String name() {
        return "process";
    }

    @Override
    public RunningKernel start(KernelSpec spec) throws KernelStartException {
        if (!SAFE_ID.matcher(spec.kernelId()).matches()) {
            throw new KernelStartException("kernel id " + spec.kernelId() + " is not a safe directory name");
        }
        Path dir = workDir(spec.kernelId());
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", spec.command() == null ? INTERACTIVE : spec.command())
                .directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(dir.toFile(), "stdout.log")))
                .redirectError(ProcessBuilder.Redirect.appendTo(new File(dir.toFile(), "stderr.log")));
        Map<String, String> env = builder.environment();
        // The agent's own settings stay out of kernels; PATH is kept so that commands resolve as in a shell.
        env.clear();
        env.put("PATH", System.getenv().getOrDefault("PATH", FALLBACK_PATH));
        env.put("HOME", dir.toString());
        env.putAll(spec.environment());
        Process process;
        try {
            Files.createDirectories(dir);
            process = builder.start();
        } catch (IOException | RuntimeException e) {
            throw new KernelStartException("cannot start a process in " + dir + ": " + e, e);
        }
        closeQuietly(process);
        log.info("Kernel {} started as pid {}", spec.kernelId(), process.pid());
        return new ProcessKernel(process);
    }

    /** Kernels get an empty stdin, so that a command reading it sees its end instead of waiting forever. */
    private static void closeQuietly(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            log.debug("Closing stdin of pid {} failed: {}", process.pid(), e.toString());
        }
    }

    private record ProcessKernel(Process process) implements RunningKernel {

        @Override
        public String containerId() {
            return "pid:" + process.pid();
        }

        @Override
        public CompletionStage<Integer> exit() {
            return process.onExit().thenApply(Process::exitValue);
        }

        /**
         * The tree is taken once, at SIGTERM: children whose shell has died are re-parented and
         * would no longer show as descendants when the SIGKILL is due. The shell is signalled
         * first, so that it cannot see its children die and carry on with its script.
         */
        @Override
        public void stop(Duration grace) {
            List<ProcessHandle> tree = Stream.concat(Stream.of(process.toHandle()), process.descendants()).toList();
            tree.forEach(ProcessHandle::destroy);
            CompletableFuture.delayedExecutor(grace.toMillis(), TimeUnit.MILLISECONDS).execute(() -> tree.stream()
                    .filter(ProcessHandle::isAlive)
                    .forEach(handle -> {
                        log.info("Pid {} outlived its {} ms grace, killing it", handle.pid(), grace.toMillis());
                        handle.destroyForcibly();
                    }));
        }
    }
}
