package dev.berth.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.Env;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeChoiceTest {

    @TempDir Path stateDir;

    /** Answers on the hosts it is told to, and remembers every host it was asked about. */
    private static final class FakeProbe implements RuntimeChoice.Probe {
        final List<String> asked = new ArrayList<>();
        private final List<String> answering;

        FakeProbe(String... answering) {
            this.answering = List.of(answering);
        }

        @Override
        public Optional<String> ping(String dockerHost) {
            asked.add(dockerHost);
            return answering.contains(dockerHost) ? Optional.empty() : Optional.of("connection refused");
        }
    }

    private Path socket() {
        return stateDir.resolve("docker").resolve("docker.sock");
    }

    private Path projectEngine() throws IOException {
        Files.createDirectories(socket().getParent());
        return Files.createFile(socket());
    }

    private String projectHost() {
        return "unix://" + socket().toAbsolutePath();
    }

    @Test
    @DisplayName("no engine set up for Berth: process, without pinging anything")
    void noEngine() {
        FakeProbe probe = new FakeProbe("unix:///var/run/docker.sock");

        RuntimeChoice choice = RuntimeChoice.choose(new Env(Map.of()), socket(), probe);

        assertEquals("process", choice.runtime());
        assertTrue(choice.reason().startsWith("no Docker engine: DOCKER_HOST is unset and " + socket()), choice.reason());
        assertEquals(List.of(), probe.asked, "the system's engine is not looked for");
    }

    @Test
    @DisplayName("the project's engine answers on its socket: docker, saying where")
    void projectEngineAnswers() throws IOException {
        projectEngine();
        FakeProbe probe = new FakeProbe(projectHost());

        RuntimeChoice choice = RuntimeChoice.choose(new Env(Map.of()), socket(), probe);

        assertEquals(new RuntimeChoice("docker", "a Docker engine answers at " + projectHost() + " (the project's engine)"), choice);
    }

    @Test
    @DisplayName("a socket left behind by a stopped engine: process, with the ping's failure as the reason")
    void staleSocket() throws IOException {
        projectEngine();

        RuntimeChoice choice = RuntimeChoice.choose(new Env(Map.of()), socket(), new FakeProbe());

        assertEquals("process", choice.runtime());
        assertEquals("no Docker engine answers at " + projectHost() + " (the project's engine): connection refused", choice.reason());
    }

    @Test
    @DisplayName("DOCKER_HOST is pinged instead of the project's socket; BERTH_DOCKER_HOST before DOCKER_HOST")
    void dockerHostSetting() throws IOException {
        projectEngine();
        FakeProbe probe = new FakeProbe("tcp://engine:2375");

        RuntimeChoice viaDockerHost = RuntimeChoice.choose(new Env(Map.of("DOCKER_HOST", "tcp://engine:2375")), socket(), probe);
        RuntimeChoice viaBerth = RuntimeChoice.choose(new Env(Map.of("DOCKER_HOST", "tcp://engine:2375",
                "BERTH_DOCKER_HOST", "tcp://other:2375")), socket(), probe);

        assertEquals(new RuntimeChoice("docker", "a Docker engine answers at tcp://engine:2375 (DOCKER_HOST)"), viaDockerHost);
        assertEquals("process", viaBerth.runtime());
        assertEquals("no Docker engine answers at tcp://other:2375 (BERTH_DOCKER_HOST): connection refused", viaBerth.reason());
        assertEquals(List.of("tcp://engine:2375", "tcp://other:2375"), probe.asked);
    }

    @Test
    @DisplayName("an explicit BERTH_AGENT_RUNTIME wins either way, and nothing is pinged")
    void explicitWins() throws IOException {
        projectEngine();
        FakeProbe probe = new FakeProbe(projectHost());

        assertEquals(new RuntimeChoice("process", "BERTH_AGENT_RUNTIME=process"),
                RuntimeChoice.choose(new Env(Map.of("BERTH_AGENT_RUNTIME", "process")), socket(), probe));
        assertEquals(new RuntimeChoice("docker", "BERTH_AGENT_RUNTIME=docker"),
                RuntimeChoice.choose(new Env(Map.of("BERTH_AGENT_RUNTIME", "docker", "DOCKER_HOST", "tcp://gone:2375")), socket(), probe));
        assertEquals(List.of(), probe.asked);
    }
}
