package dev.berth.agent;

import dev.berth.agent.runtime.DockerRuntime;
import dev.berth.agent.runtime.KernelRuntime;
import dev.berth.agent.runtime.ProcessRuntime;
import dev.berth.agent.runtime.SimulatedRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;

/** The runtime an agent's settings name. */
public final class Runtimes {

    private static final String SYSTEM_DOCKER = "unix:///var/run/docker.sock";

    private Runtimes() {}

    /**
     * A simulated runtime gets a daemon timer thread of its own; many simulated agents in one JVM
     * share one instead through {@link SimulatedFleet}.
     *
     * @throws IllegalStateException when the docker runtime finds no engine
     */
    public static KernelRuntime create(AgentConfig config, Path stateDir) {
        return switch (config.runtime()) {
            case "docker" -> DockerRuntime.connect(dockerHost(config, stateDir), config.agentId(), config.pullTimeout());
            case "simulated" -> new SimulatedRuntime(config.simulatedRunFor(), Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("berth-agent-" + config.agentId() + "-simulation").daemon().factory()));
            default -> new ProcessRuntime(stateDir, config.agentId());
        };
    }

    /** The configured engine, else the project's own engine when its socket exists, else the system's. */
    public static String dockerHost(AgentConfig config, Path stateDir) {
        if (config.dockerHost() != null) return config.dockerHost();
        Path own = projectSocket(stateDir);
        return Files.exists(own) ? "unix://" + own : SYSTEM_DOCKER;
    }

    /** The socket of the project's own engine, the one {@code infra/docker/engine.sh up} starts. */
    public static Path projectSocket(Path stateDir) {
        return stateDir.resolve("docker").resolve("docker.sock").toAbsolutePath();
    }
}
