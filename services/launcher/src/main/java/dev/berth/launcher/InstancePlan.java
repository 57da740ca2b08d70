package dev.berth.launcher;

import dev.berth.common.BerthConfig;
import dev.berth.common.Env;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One instance of an N-instance cluster on one machine: what sets it apart from the others.
 *
 * @param number     1 to N
 * @param instanceId its node id: BERTH_INSTANCE_ID (default the host name) and {@code -number}; stable across restarts
 * @param stateDir   its own state directory, {@code <BERTH_STATE_DIR>/instances/<number>}: stream stores are never shared
 * @param apiPort    BERTH_API_PORT (8080) for the first, the following ports for the next; 0 stays 0 (any free port)
 * @param agentId    BERTH_AGENT_ID (default {@code local}) and {@code -number}
 */
record InstancePlan(int number, String instanceId, Path stateDir, int apiPort, String agentId) {

    static List<InstancePlan> of(Env env, BerthConfig berth, int instances) {
        int basePort = env.integer("BERTH_API_PORT", 8080, 0, 65535);
        if (basePort != 0 && basePort + instances - 1 > 65535) {
            throw new IllegalArgumentException("BERTH_API_PORT " + basePort + " leaves no room for " + instances + " instances");
        }
        String agentBase = env.string("BERTH_AGENT_ID", "local");
        List<InstancePlan> plans = new ArrayList<>();
        for (int n = 1; n <= instances; n++) {
            plans.add(new InstancePlan(n, berth.instanceId() + "-" + n, berth.stateDir().resolve("instances").resolve(Integer.toString(n)),
                    basePort == 0 ? 0 : basePort + n - 1, agentBase + "-" + n));
        }
        return plans;
    }

    /**
     * The environment of this instance's process: the launcher's, with the cluster's broker, the
     * instance's own settings, and the agent runtime the launcher chose once for all.
     */
    Map<String, String> environment(Map<String, String> base, String kafkaBootstrap, int instances, RuntimeChoice runtime, String dockerHost) {
        Map<String, String> env = new HashMap<>(base);
        env.put("BERTH_KAFKA_BOOTSTRAP", kafkaBootstrap);
        env.put("BERTH_INSTANCES", Integer.toString(instances));
        env.put("BERTH_INSTANCE_ID", instanceId);
        env.put("BERTH_STATE_DIR", stateDir.toString());
        env.put("BERTH_API_PORT", Integer.toString(apiPort));
        env.put("BERTH_AGENT_ID", agentId);
        env.put("BERTH_AGENT_RUNTIME", runtime.runtime());
        // the project's engine socket lives in the cluster's state directory, not the instance's
        if (dockerHost != null) env.put("BERTH_DOCKER_HOST", dockerHost);
        return env;
    }
}
