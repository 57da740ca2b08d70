package dev.berth.agent;

import dev.berth.agent.runtime.KernelRuntime;
import dev.berth.common.BerthConfig;
import dev.berth.common.Env;
import dev.berth.common.HealthRegistry;
import dev.berth.common.KafkaClients;
import dev.berth.common.KafkaHealth;
import dev.berth.common.OpsServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one agent as a process of its own, with the runtime BERTH_AGENT_RUNTIME names, configured from the environment. */
public final class AgentMain {

    private static final Logger log = LoggerFactory.getLogger(AgentMain.class);
    private static final int DEFAULT_OPS_PORT = 8091;

    private AgentMain() {}

    public static void main(String[] args) throws IOException {
        Env env = Env.system();
        BerthConfig berth;
        AgentConfig config;
        try {
            berth = BerthConfig.from(env);
            config = AgentConfig.from(env, DEFAULT_OPS_PORT);
            if (berth.kafkaBootstrap().isEmpty()) throw new IllegalArgumentException("BERTH_KAFKA_BOOTSTRAP is required, e.g. 127.0.0.1:9092");
        } catch (IllegalArgumentException e) {
            System.err.println("berth-agent: " + e.getMessage());
            System.exit(2);
            return;
        }

        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        HealthRegistry health = new HealthRegistry(Duration.ofSeconds(3));
        Admin admin = Admin.create(KafkaClients.admin(berth.kafkaBootstrap()));
        health.register("kafka", () -> KafkaHealth.check(admin));
        Agent agent;
        OpsServer ops;
        try {
            KernelRuntime runtime = Runtimes.create(config, berth.stateDir());
            agent = Agent.start(berth, config, runtime, meters, health);
            ops = config.opsPort() == 0 ? null : OpsServer.start("127.0.0.1", config.opsPort(), health, meters);
        } catch (IOException | RuntimeException e) {
            admin.close();
            throw e;
        }
        if (ops != null) log.info("Agent {} health and metrics on http://127.0.0.1:{}/", config.agentId(), ops.port());

        AtomicBoolean shuttingDown = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            shuttingDown.set(true);
            if (ops != null) ops.close();
            agent.close();
            admin.close();
            meters.close();
        }, "berth-agent-shutdown"));

        // The loop ends by itself only on a fatal error; exiting then lets the hook stop the kernels.
        agent.stopped().toCompletableFuture().join();
        if (shuttingDown.get()) return;
        log.error("Agent {} stopped reading commands; exiting", config.agentId());
        System.exit(1);
    }
}
