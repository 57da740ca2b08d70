package dev.berth.agent.runtime;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a runtime needs to start one kernel, free of the wire format.
 *
 * @param sessionType     INTERACTIVE, BATCH or INFERENCE
 * @param command         the shell command the kernel runs; {@code null} means a kernel that
 *                        stays up until it is destroyed
 * @param bootstrapScript shell script run before the command; when it fails the kernel ends with its exit code
 * @param environ         the user's environment variables
 * @param resources       the slots the kernel holds, in {@link dev.berth.schema.Slots} units
 * @param clusterHosts    hostnames of every kernel of the session, main first
 */
public record KernelSpec(
        String kernelId,
        String sessionId,
        String sessionType,
        String image,
        String command,
        String bootstrapScript,
        Map<String, String> environ,
        Map<String, Long> resources,
        String clusterRole,
        int clusterIdx,
        String clusterHostname,
        int clusterSize,
        List<String> clusterHosts) {

    /** What an interactive kernel runs: nothing, until it is stopped. */
    static final String IDLE = "exec sleep infinity";

    public KernelSpec {
        Objects.requireNonNull(kernelId, "kernelId");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(sessionType, "sessionType");
        environ = Map.copyOf(environ);
        resources = Map.copyOf(resources);
        clusterHosts = List.copyOf(clusterHosts);
        if (clusterSize < 1) throw new IllegalArgumentException("clusterSize must be >= 1, got " + clusterSize);
    }

    /** A single-kernel spec, as most tests and simulations need. */
    public static KernelSpec single(String kernelId, String sessionId, String image, String command,
                                    Map<String, String> environ, Map<String, Long> resources) {
        return new KernelSpec(kernelId, sessionId, command == null ? "INTERACTIVE" : "BATCH", image, command, null,
                environ, resources, "main", 1, "main1", 1, List.of("main1"));
    }

    public boolean isMain() {
        return "main".equals(clusterRole);
    }

    /** The user's environment plus the variables that tell a kernel who it is; Berth's own win. */
    public Map<String, String> environment() {
        Map<String, String> out = new HashMap<>(environ);
        out.put("BERTH_SESSION_ID", sessionId);
        out.put("BERTH_KERNEL_ID", kernelId);
        out.put("BERTH_CLUSTER_ROLE", clusterRole);
        out.put("BERTH_CLUSTER_IDX", Integer.toString(clusterIdx));
        out.put("BERTH_CLUSTER_HOSTNAME", clusterHostname);
        out.put("BERTH_CLUSTER_SIZE", Integer.toString(clusterSize));
        out.put("BERTH_CLUSTER_HOSTS", String.join(",", clusterHosts));
        return out;
    }

    /**
     * The one shell script a runtime hands to {@code /bin/sh -c}: the bootstrap script in a subshell,
     * stopping there with its exit code when it fails, then the command (or idling until stopped).
     */
    public String shellScript() {
        String main = command == null ? IDLE : command;
        if (bootstrapScript == null || bootstrapScript.isBlank()) return main;
        return "(\n" + bootstrapScript + "\n) || exit $?\n" + main;
    }
}
