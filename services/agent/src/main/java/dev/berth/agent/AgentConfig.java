package dev.berth.agent;

import com.sun.management.OperatingSystemMXBean;
import dev.berth.common.Env;
import dev.berth.schema.Slots;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings of one agent, parsed once at start.
 *
 * @param agentId           BERTH_AGENT_ID: the agent's name, the key of its commands and heartbeats (default {@code local-1})
 * @param scalingGroup      BERTH_SCALING_GROUP: the pool of agents it serves (default {@code default})
 * @param capacity          BERTH_AGENT_CPU (cores, decimals allowed; default the processor count) and
 *                          BERTH_AGENT_MEM (a size such as {@code 8g}; default the machine's physical memory),
 *                          in {@link Slots} units
 * @param heartbeatInterval BERTH_AGENT_HEARTBEAT: how often it reports itself (default 2s)
 * @param killGrace         BERTH_AGENT_KILL_GRACE: how long a stopped kernel has between SIGTERM and SIGKILL (default 5s)
 * @param opsPort           BERTH_AGENT_OPS_PORT: port of the health and metrics server; 0 starts none
 * @param runtime           BERTH_AGENT_RUNTIME: {@code process} (default), {@code docker} or {@code simulated}
 * @param dockerHost        BERTH_DOCKER_HOST, else DOCKER_HOST: the engine of the docker runtime (default the
 *                          engine of {@code infra/docker/engine.sh} under the state directory)
 * @param pullTimeout       BERTH_AGENT_PULL_TIMEOUT: how long an image pull may take (default 10m)
 * @param statsInterval     BERTH_AGENT_STATS_INTERVAL: how often kernels' stats and output are sampled (default 5s)
 * @param redisHost         BERTH_REDIS_HOST: where the latest stats and output tails go (default 127.0.0.1);
 *                          {@code none} writes them to Kafka only
 * @param redisPort         BERTH_REDIS_PORT (default 16379)
 * @param simulatedRunFor   BERTH_AGENT_SIMULATED_RUN: how long a simulated kernel with a command runs (default 10s)
 * @param schedulable       BERTH_AGENT_SCHEDULABLE: false starts the agent drained (default true)
 * @param detachOnExit      BERTH_AGENT_ON_EXIT: {@code stop} (default) stops the kernels when the agent stops,
 *                          {@code detach} leaves them running for the next agent with this id to take back
 */
public record AgentConfig(
        String agentId,
        String scalingGroup,
        Map<String, Long> capacity,
        Duration heartbeatInterval,
        Duration killGrace,
        int opsPort,
        String runtime,
        String dockerHost,
        Duration pullTimeout,
        Duration statsInterval,
        String redisHost,
        int redisPort,
        Duration simulatedRunFor,
        boolean schedulable,
        boolean detachOnExit) {

    /** Agent ids name directories and consumer groups. */
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    public static final List<String> RUNTIMES = List.of("process", "docker", "simulated");

    public AgentConfig {
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(scalingGroup, "scalingGroup");
        capacity = Map.copyOf(capacity);
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
            throw new IllegalArgumentException("the heartbeat interval must be positive, got " + heartbeatInterval);
        }
        if (killGrace.isNegative()) throw new IllegalArgumentException("the kill grace must not be negative, got " + killGrace);
        if (!RUNTIMES.contains(runtime)) {
            throw new IllegalArgumentException("BERTH_AGENT_RUNTIME must be one of " + RUNTIMES + ", got \"" + runtime + "\"");
        }
    }

    /** The same settings with another id, for several agents on one machine. */
    public AgentConfig withAgentId(String id) {
        return new AgentConfig(id, scalingGroup, capacity, heartbeatInterval, killGrace, opsPort, runtime, dockerHost,
                pullTimeout, statsInterval, redisHost, redisPort, simulatedRunFor, schedulable, detachOnExit);
    }

    /** The same settings with another runtime. */
    public AgentConfig withRuntime(String name) {
        return new AgentConfig(agentId, scalingGroup, capacity, heartbeatInterval, killGrace, opsPort, name, dockerHost,
                pullTimeout, statsInterval, redisHost, redisPort, simulatedRunFor, schedulable, detachOnExit);
    }

    /** The same settings writing the latest stats and output to another Redis. */
    public AgentConfig withRedis(String host, int port) {
        return new AgentConfig(agentId, scalingGroup, capacity, heartbeatInterval, killGrace, opsPort, runtime, dockerHost,
                pullTimeout, statsInterval, host, port, simulatedRunFor, schedulable, detachOnExit);
    }

    /** Whether the latest stats and output go to Redis. */
    public boolean hasRedis() {
        return !"none".equals(redisHost);
    }

    /** Reads the settings; an ops port left unset means none, as when the agent runs inside another process. */
    public static AgentConfig from(Env env) {
        return from(env, 0);
    }

    /** As {@link #from(Env)}, with the ops port a standalone agent uses when BERTH_AGENT_OPS_PORT is unset. */
    public static AgentConfig from(Env env, int defaultOpsPort) {
        String agentId = env.string("BERTH_AGENT_ID", "local-1");
        if (!SAFE_ID.matcher(agentId).matches()) {
            throw new IllegalArgumentException("BERTH_AGENT_ID must be letters, digits, '.', '_' or '-', got \"" + agentId + "\"");
        }
        long cpu = slot(env, "BERTH_AGENT_CPU", Slots.CPU, Runtime.getRuntime().availableProcessors());
        long mem = slot(env, "BERTH_AGENT_MEM", Slots.MEM, physicalMemory());
        return new AgentConfig(
                agentId,
                env.string("BERTH_SCALING_GROUP", "default"),
                Map.of(Slots.CPU, cpu, Slots.MEM, mem),
                positive(env, "BERTH_AGENT_HEARTBEAT", Duration.ofSeconds(2)),
                nonNegative(env, "BERTH_AGENT_KILL_GRACE", Duration.ofSeconds(5)),
                env.integer("BERTH_AGENT_OPS_PORT", defaultOpsPort, 0, 65535),
                env.string("BERTH_AGENT_RUNTIME", "process"),
                env.string("BERTH_DOCKER_HOST", env.string("DOCKER_HOST", null)),
                positive(env, "BERTH_AGENT_PULL_TIMEOUT", Duration.ofMinutes(10)),
                positive(env, "BERTH_AGENT_STATS_INTERVAL", Duration.ofSeconds(5)),
                env.string("BERTH_REDIS_HOST", "127.0.0.1"),
                env.integer("BERTH_REDIS_PORT", 16379, 1, 65535),
                nonNegative(env, "BERTH_AGENT_SIMULATED_RUN", Duration.ofSeconds(10)),
                bool(env, "BERTH_AGENT_SCHEDULABLE", true),
                onExit(env.string("BERTH_AGENT_ON_EXIT", "stop")));
    }

    private static boolean bool(Env env, String key, boolean fallback) {
        String text = env.string(key, Boolean.toString(fallback));
        return switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException(key + " must be true or false, got \"" + text + "\"");
        };
    }

    private static boolean onExit(String text) {
        return switch (text) {
            case "stop" -> false;
            case "detach" -> true;
            default -> throw new IllegalArgumentException("BERTH_AGENT_ON_EXIT must be stop or detach, got \"" + text + "\"");
        };
    }

    private static long slot(Env env, String key, String slot, long fallback) {
        String text = env.string(key, null);
        long amount;
        try {
            amount = text == null ? Slots.parse(slot, fallback) : Slots.parse(slot, text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " " + e.getMessage(), e);
        }
        if (amount <= 0) throw new IllegalArgumentException(key + " must be positive, got \"" + text + "\"");
        return amount;
    }

    private static long physicalMemory() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
    }

    private static Duration positive(Env env, String key, Duration fallback) {
        Duration value = env.duration(key, fallback);
        if (value.isNegative() || value.isZero()) throw new IllegalArgumentException(key + " must be positive, got " + value);
        return value;
    }

    private static Duration nonNegative(Env env, String key, Duration fallback) {
        Duration value = env.duration(key, fallback);
        if (value.isNegative()) throw new IllegalArgumentException(key + " must not be negative, got " + value);
        return value;
    }
}
