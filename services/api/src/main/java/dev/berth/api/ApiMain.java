package dev.berth.api;

import dev.berth.api.session.RequestPublisher;
import dev.berth.api.session.SessionView;
import dev.berth.cluster.EtcdConfig;
import dev.berth.common.BerthConfig;
import dev.berth.common.Env;
import dev.berth.common.HealthRegistry;
import dev.berth.common.KafkaClients;
import dev.berth.schema.TopicBootstrapper;
import dev.berth.schema.avro.SessionRequest;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the API on its own against the Kafka cluster named by BERTH_KAFKA_BOOTSTRAP. */
public final class ApiMain {

    private static final Logger log = LoggerFactory.getLogger(ApiMain.class);
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Starting migrates and bootstraps PostgreSQL first, which takes longer than a step of the shutdown on a busy machine. */
    private static final Duration START = Duration.ofSeconds(60);

    private ApiMain() {}

    public static void main(String[] args) throws Exception {
        Env local = Env.system();
        HealthRegistry health = new HealthRegistry(Duration.ofSeconds(5));
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // seeded from this environment on a first start; it fills the addresses the environment leaves out
        EtcdConfig shared = EtcdConfig.start(local, BerthConfig.from(local).topicPrefix(), "api", metrics, health);
        Env env = shared.overlay(local);
        BerthConfig berth = BerthConfig.from(env);
        ApiConfig config = ApiConfig.from(env);
        if (berth.kafkaBootstrap().isEmpty()) {
            throw new IllegalArgumentException("BERTH_KAFKA_BOOTSTRAP must name the Kafka cluster, e.g. 127.0.0.1:9092");
        }
        try (Admin admin = Admin.create(KafkaClients.admin(berth.kafkaBootstrap()))) {
            var created = TopicBootstrapper.ensure(admin, berth.topics(), (short) 1);
            log.info("topics ready ({} created)", created.size());
        }

        Producer<String, SessionRequest> producer = RequestPublisher.createProducer(berth.kafkaBootstrap(), config.ackTimeout());
        SessionView view = new SessionView(berth.kafkaBootstrap(), berth.topics().sessionEvents.name());
        view.start();
        Vertx vertx = Vertx.vertx();
        ApiServer server = new ApiServer();
        Runnable shutdown = () -> {
            log.info("Berth API stopping");
            // one after the other from this thread: a continuation of the server's close would run on an event loop that vertx.close() ends
            await(server.close(), WAIT);
            await(vertx.close(), WAIT);
            view.close();
            producer.close(WAIT);
            shared.close();
        };
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "berth-api-shutdown"));

        try {
            await(server.start(vertx, berth, config, shared, producer, view, health, metrics), START);
        } catch (RuntimeException e) {
            log.error("Berth API did not start", e);
            System.exit(1);
        }
    }

    private static <T> T await(Future<T> future, Duration within) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("gave up waiting: " + e.getMessage(), e);
        }
    }
}
