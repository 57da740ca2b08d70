package dev.berth.launcher;

import dev.berth.agent.Agent;
import dev.berth.agent.AgentConfig;
import dev.berth.agent.Runtimes;
import dev.berth.agent.runtime.DockerRuntime;
import dev.berth.agent.runtime.KernelRuntime;
import dev.berth.api.ApiConfig;
import dev.berth.api.ApiServer;
import dev.berth.api.session.RequestPublisher;
import dev.berth.api.session.SessionView;
import dev.berth.cluster.EtcdConfig;
import dev.berth.cluster.SchedulerViews;
import dev.berth.common.BerthConfig;
import dev.berth.common.ConsumerLag;
import dev.berth.common.Env;
import dev.berth.common.HealthRegistry;
import dev.berth.common.KafkaClients;
import dev.berth.identity.KeypairFile;
import dev.berth.kafka.EmbeddedKafka;
import dev.berth.scheduler.Consumers;
import dev.berth.scheduler.Scheduler;
import dev.berth.schema.avro.SessionRequest;
import dev.berth.webhooks.WebhookSettings;
import dev.berth.webhooks.Webhooks;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole of Berth in one process: a broker (unless one is named), the scheduler, the idle checks
 * and usage metering, one agent, the API and the webhook dispatcher. Each part is closed in the
 * reverse order it started. Topics are created under an etcd lock ({@link TopicSetup}), so several
 * stacks on one broker ({@link Cluster}) do not race. The agent's runtime is BERTH_AGENT_RUNTIME, else docker when the
 * project's engine (or DOCKER_HOST) answers, else process ({@link RuntimeChoice}).
 */
public final class Stack implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Stack.class);
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private String kafkaBootstrap;
    private int apiPort;
    private String agentId;
    private String instanceId;
    private RuntimeChoice runtime;

    private Stack() {}

    /** Starts every part, reporting each step to {@code progress}; on a failure, what started is stopped again. */
    public static Stack start(Env env, Consumer<String> progress) throws Exception {
        Stack stack = new Stack();
        try {
            stack.startAll(env, progress);
            return stack;
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    private void startAll(Env env, Consumer<String> progress) throws Exception {
        var metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        var health = new HealthRegistry(Duration.ofSeconds(4));
        // the shared configuration in etcd, seeded from this environment on a first start; it fills the addresses the environment leaves out
        EtcdConfig shared = EtcdConfig.start(env, BerthConfig.from(env).topicPrefix(), "stack", metrics, health);
        started.push(shared);
        progress.accept("configuration under " + shared.prefixName() + " at revision " + shared.snapshot().revision());
        env = shared.overlay(env);
        StackConfig config = StackConfig.from(env);
        BerthConfig berth = config.berth();
        if (config.embeddedKafka()) {
            progress.accept("starting the embedded Kafka broker ...");
            EmbeddedKafka kafka = EmbeddedKafka.start(berth.stateDir().resolve("embedded-kafka"), config.kafkaPort(), config.kafkaControllerPort());
            started.push(kafka);
            berth = berth.withBootstrap(kafka.bootstrapServers());
        }
        kafkaBootstrap = berth.kafkaBootstrap();
        instanceId = berth.instanceId();

        Admin admin = Admin.create(KafkaClients.admin(kafkaBootstrap));
        started.push(admin);
        ApiConfig apiConfig = ApiConfig.from(env);
        var created = TopicSetup.ensure(admin, berth, "http://" + apiConfig.etcdHost() + ":" + apiConfig.etcdPort());
        progress.accept("topics ready (" + created.size() + " created)");

        started.push(ConsumerLag.start(admin, berth.topicPrefix(), metrics, ConsumerLag.INTERVAL));

        Scheduler scheduler = Scheduler.start(berth, shared.live(snapshot -> SchedulerViews.placement(snapshot.values())), metrics, health);
        started.push(scheduler);
        progress.accept("scheduler started");
        Consumers consumers = Consumers.start(berth, shared, env, metrics, health);
        started.push(consumers);
        progress.accept("idle checks and usage metering started");

        runtime = RuntimeChoice.choose(env, Runtimes.projectSocket(berth.stateDir()), DockerRuntime::ping);
        progress.accept("agent runtime " + runtime.runtime() + ": " + runtime.reason());
        AgentConfig agentConfig = AgentConfig.from(env).withRuntime(runtime.runtime());
        KernelRuntime kernels = Runtimes.create(agentConfig, berth.stateDir());
        Agent agent = Agent.start(berth, agentConfig, kernels, metrics, health);
        started.push(agent);
        agentId = agentConfig.agentId();
        progress.accept("agent " + agentId + " started (" + kernels.name() + " runtime)");

        SessionView view = new SessionView(kafkaBootstrap, berth.topics().sessionEvents.name());
        view.start();
        started.push(view);
        Producer<String, SessionRequest> producer = RequestPublisher.createProducer(kafkaBootstrap, apiConfig.ackTimeout());
        started.push(() -> producer.close(WAIT));
        Vertx vertx = Vertx.vertx();
        started.push(() -> await(vertx.close()));
        ApiServer api = new ApiServer();
        apiPort = await(api.start(vertx, berth, apiConfig, shared, producer, view, health, metrics));
        started.push(() -> await(api.close()));
        progress.accept("api listening on http://" + apiConfig.host() + ":" + apiPort);
        WebhookSettings webhookSettings = WebhookSettings.from(env);
        Webhooks webhooks = Webhooks.start(vertx, berth, apiConfig.pg(), shared.live(snapshot -> webhookSettings.with(snapshot.values())), metrics, health);
        started.push(webhooks);
        progress.accept("webhook dispatcher started");
        progress.accept("superadmin keypair in " + KeypairFile.in(berth.stateDir()) + " (./berth curl signs requests with it)");
    }

    public String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    public int apiPort() {
        return apiPort;
    }

    public String agentId() {
        return agentId;
    }

    /** The node id (BERTH_INSTANCE_ID). */
    public String instanceId() {
        return instanceId;
    }

    /** The agent's runtime and why it was chosen. */
    public RuntimeChoice runtime() {
        return runtime;
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable part = started.pop();
            try {
                part.close();
            } catch (Exception e) {
                log.warn("while stopping {}: {}", part.getClass().getSimpleName(), e.toString());
            }
        }
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
