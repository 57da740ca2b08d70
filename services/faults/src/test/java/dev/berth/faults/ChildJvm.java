package dev.berth.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One Berth main in a JVM of its own, on this module's test classpath, configured by environment
 * variables only (as an operator would run it), with stdout and stderr in one log file. Every wait
 * on it is bounded; {@link #close()} stops it with SIGTERM and, if it does not go in time, SIGKILL.
 */
public final class ChildJvm implements AutoCloseable {

    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);
    /** Small heaps, a quick JIT and one GC thread: several of these share two cores with the test. */
    private static final List<String> JVM_OPTIONS = List.of("-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-Xss512k", "-XX:+EnableDynamicAgentLoading");

    private final String name;
    private final Process process;
    private final Path log;
    private final Map<String, String> env;

    private ChildJvm(String name, Process process, Path log, Map<String, String> env) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.env = Map.copyOf(env);
    }

    /** Starts {@code main} as {@code name}; its output goes to {@code logDir/name.log}. */
    public static ChildJvm start(String name, Class<?> main, Map<String, String> env, Path logDir) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.add("-cp");
        command.add(classpath());
        command.add(main.getName());
        Path log = logDir.resolve(name + ".log");
        try {
            Files.createDirectories(logDir);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            // only what the test sets, so that a developer's own BERTH_* settings never leak into a child
            builder.environment().keySet().removeIf(key -> key.startsWith("BERTH_"));
            builder.environment().putAll(env);
            Process process = builder.start();
            // should the test's JVM itself die, its children go with it
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "kill-" + name));
            return new ChildJvm(name, process, log, env);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /**
     * The full test classpath: under Maven the JVM's own class path is a manifest-only jar, and
     * the surefire and failsafe plugins say where the real one is.
     */
    private static String classpath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    public String name() {
        return name;
    }

    /** The variables the test gave it (ports, state directory). */
    public Map<String, String> env() {
        return env;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** The log so far (for readiness lines and failure messages). */
    public String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /**
     * Waits until {@code health} answers 200; fails at once, with the end of the log, if the
     * process exits first, and after {@code within} if it never gets healthy.
     */
    public void awaitHealthy(URI health, Duration within) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + within.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException(name + " exited with " + process.exitValue() + " before it was healthy:\n" + tail());
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) return;
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
            // polling with a deadline: the next probe comes a little later
            LockSupport.parkNanos(Duration.ofMillis(250).toNanos());
        }
        throw new IllegalStateException(name + " not healthy at " + health + " within " + within + ", last: " + last + "\n" + tail());
    }

    /** The last lines of the log, for failure messages. */
    public String tail() {
        List<String> lines = output().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or committed; returns once the process is gone. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(KILL_WAIT);
    }

    /** SIGTERM, so the shutdown hooks run; SIGKILL if it is still there after the grace. */
    @Override
    public void close() {
        if (!process.isAlive()) return;
        process.destroy();
        if (!awaitExit(STOP_GRACE)) kill();
    }

    private boolean awaitExit(Duration within) {
        try {
            return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return false;
        }
    }

    /** A port nothing listens on now, for a child to bind (there is a small race until it does). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ", log " + log + ")";
    }
}
