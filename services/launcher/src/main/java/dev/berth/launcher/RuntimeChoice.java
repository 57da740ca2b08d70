package dev.berth.launcher;

import dev.berth.common.Env;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The runtime {@code berth up} gives its agent, and why: BERTH_AGENT_RUNTIME when set; else
 * {@code docker} when an engine answers a ping at BERTH_DOCKER_HOST or DOCKER_HOST, or, with neither
 * set, on the project's own socket (the engine of {@code infra/docker/engine.sh}); else {@code process}.
 * The system's engine is not looked for: an engine is used only when it was set up for Berth.
 *
 * @param runtime the runtime's name, as BERTH_AGENT_RUNTIME would say it
 * @param reason  why, in a few words, for the start-up output
 */
public record RuntimeChoice(String runtime, String reason) {

    /** Pings a Docker engine: empty when it answers, else why not. */
    @FunctionalInterface
    public interface Probe {
        Optional<String> ping(String dockerHost);
    }

    public static RuntimeChoice choose(Env env, Path projectSocket, Probe probe) {
        String explicit = env.string("BERTH_AGENT_RUNTIME", null);
        if (explicit != null) return new RuntimeChoice(explicit, "BERTH_AGENT_RUNTIME=" + explicit);
        String setting = env.string("BERTH_DOCKER_HOST", null) != null ? "BERTH_DOCKER_HOST"
                : env.string("DOCKER_HOST", null) != null ? "DOCKER_HOST" : null;
        String host;
        if (setting != null) {
            host = env.string(setting, null);
        } else if (Files.exists(projectSocket)) {
            setting = "the project's engine";
            host = "unix://" + projectSocket.toAbsolutePath();
        } else {
            return new RuntimeChoice("process", "no Docker engine: DOCKER_HOST is unset and " + projectSocket
                    + " does not exist (infra/docker/engine.sh up starts one)");
        }
        Optional<String> failure = probe.ping(host);
        if (failure.isEmpty()) return new RuntimeChoice("docker", "a Docker engine answers at " + host + " (" + setting + ")");
        return new RuntimeChoice("process", "no Docker engine answers at " + host + " (" + setting + "): " + failure.get());
    }
}
