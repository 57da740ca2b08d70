package dev.berth.agent.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The Docker engine for tests: BERTH_DOCKER_HOST when set, else the project's own engine, started
 * by {@code infra/docker/engine.sh up} (which also imports the test image). Tests that need it are
 * skipped, with the reason printed, when no engine can start here.
 */
public final class DockerEngine {

    /** Imported by the engine script from Debian's busybox-static; never pulled. */
    public static final String IMAGE = "berth/busybox:latest";
    /** An image no registry has, named after a registry on a closed loopback port so that the pull fails at once without leaving the machine. */
    public static final String ABSENT_IMAGE = "127.0.0.1:9/berth/absent:1";

    private static String host;
    private static String unavailable;

    private DockerEngine() {}

    /** The engine's address; aborts the calling test (skipped, not failed) when there is none. */
    public static synchronized String host() {
        if (host == null && unavailable == null) start();
        if (unavailable != null) {
            System.err.println("Docker tests skipped: " + unavailable);
            Assumptions.abort("no Docker engine: " + unavailable);
        }
        return host;
    }

    private static void start() {
        String configured = System.getenv("BERTH_DOCKER_HOST");
        if (configured != null && !configured.isBlank()) {
            host = configured;
            return;
        }
        Path script = repositoryRoot().resolve("infra/docker/engine.sh");
        try {
            Process up = new ProcessBuilder(script.toString(), "up").redirectErrorStream(true).start();
            if (!up.waitFor(180, TimeUnit.SECONDS)) {
                up.destroyForcibly();
                unavailable = script + " up did not finish within 180 s";
                return;
            }
            String output = new String(up.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (up.exitValue() != 0) {
                unavailable = script + " up failed: " + output;
                return;
            }
            Process where = new ProcessBuilder(script.toString(), "host").start();
            host = new String(where.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            where.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            unavailable = "cannot run " + script + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unavailable = "interrupted while starting the engine";
        }
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("infra/docker/engine.sh"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("infra/docker/engine.sh not found above " + Path.of("").toAbsolutePath());
        return dir;
    }
}
