package dev.berth.agent.runtime;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a runtime needs to start one kernel, free of the wire format.
 *
 * @param command   the shell command the kernel runs; {@code null} means an interactive kernel that
 *                  stays up until it is destroyed
 * @param environ   the user's environment variables
 * @param resources the slots the kernel holds, in {@link dev.berth.schema.Slots} units
 */
public record KernelSpec(
        String kernelId,
        String sessionId,
        String image,
        String command,
        Map<String, String> environ,
        Map<String, Long> resources,
        String clusterRole,
        int clusterIdx,
        String clusterHostname) {

    public KernelSpec {
        Objects.requireNonNull(kernelId, "kernelId");
        Objects.requireNonNull(sessionId, "sessionId");
        environ = Map.copyOf(environ);
        resources = Map.copyOf(resources);
    }

    /** The user's environment plus the variables that tell a kernel who it is; Berth's own win. */
    public Map<String, String> environment() {
        Map<String, String> out = new HashMap<>(environ);
        out.put("BERTH_SESSION_ID", sessionId);
        out.put("BERTH_KERNEL_ID", kernelId);
        out.put("BERTH_CLUSTER_ROLE", clusterRole);
        out.put("BERTH_CLUSTER_HOSTNAME", clusterHostname);
        return out;
    }
}
