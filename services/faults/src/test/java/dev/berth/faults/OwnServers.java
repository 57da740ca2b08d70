package dev.berth.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A test's own PostgreSQL, Redis and etcd, started with the project's {@code infra/servers.sh} on
 * free ports and a state directory of their own, so that stopping and starting them never touches
 * the shared servers. Every call of the script is bounded in time; {@link #close()} stops all three.
 */
final class OwnServers implements AutoCloseable {

    /** What the script may take for one call: its own waits are 30 s per server, initdb comes on top. */
    private static final Duration SCRIPT_DEADLINE = Duration.ofSeconds(120);

    private final Path script;
    private final Path stateDir;
    private final Map<String, String> env;
    private final Path log;

    private OwnServers(Path script, Path stateDir, Map<String, String> env) {
        this.script = script;
        this.stateDir = stateDir;
        this.env = env;
        this.log = stateDir.resolve("servers.log");
    }

    /** Starts all three under {@code stateDir}; the script is found from the module's directory. */
    static OwnServers start(Path stateDir) throws IOException, InterruptedException {
        Path script = Path.of("..", "..", "infra", "servers.sh").toAbsolutePath().normalize();
        if (!Files.isExecutable(script)) throw new IllegalStateException("no server script at " + script);
        Files.createDirectories(stateDir);
        int etcdPeer = ChildJvm.freePort();
        OwnServers servers = new OwnServers(script, stateDir, Map.of(
                "BERTH_STATE_DIR", stateDir.toString(),
                "BERTH_PG_PORT", Integer.toString(ChildJvm.freePort()),
                "BERTH_REDIS_PORT", Integer.toString(ChildJvm.freePort()),
                "BERTH_ETCD_PORT", Integer.toString(ChildJvm.freePort()),
                "BERTH_ETCD_PEER_PORT", Integer.toString(etcdPeer)));
        servers.run("up");
        return servers;
    }

    /** The ports, as the services read them: BERTH_PG_PORT, BERTH_REDIS_PORT, BERTH_ETCD_PORT. */
    Map<String, String> serviceEnv() {
        return Map.of("BERTH_PG_PORT", env.get("BERTH_PG_PORT"), "BERTH_REDIS_PORT", env.get("BERTH_REDIS_PORT"),
                "BERTH_ETCD_PORT", env.get("BERTH_ETCD_PORT"));
    }

    int port(String variable) {
        return Integer.parseInt(env.get(variable));
    }

    /** Stops one server ({@code pg}, {@code redis} or {@code etcd}); its data stays. */
    void stop(String server) throws IOException, InterruptedException {
        run("down", server);
    }

    void start(String server) throws IOException, InterruptedException {
        run("up", server);
    }

    private void run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(key -> key.startsWith("BERTH_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(SCRIPT_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("servers.sh " + String.join(" ", args) + " did not finish within " + SCRIPT_DEADLINE + "; see " + log);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("servers.sh " + String.join(" ", args) + " exited " + process.exitValue() + ":\n" + Files.readString(log));
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run("down");
    }

    @Override
    public String toString() {
        return "servers in " + stateDir + " " + serviceEnv();
    }
}
