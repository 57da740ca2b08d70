package dev.berth.scheduler;

import dev.berth.cluster.EtcdConfig;
import dev.berth.cluster.SchedulerViews;
import dev.berth.common.BerthConfig;
import dev.berth.common.ConsumerLag;
import dev.berth.common.Env;
import dev.berth.common.HealthRegistry;
import dev.berth.common.KafkaClients;
import dev.berth.common.KafkaHealth;
import dev.berth.common.OpsServer;
import dev.berth.schema.TopicBootstrapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;

/**
 * The scheduler as a process of its own, with the idle checks and usage metering beside it. Its
 * settings are the shared configuration in etcd (BERTH_ETCD_HOST / BERTH_ETCD_PORT), seeded from
 * the environment on a first start: kafka.bootstrap names the cluster, redis.* where idle reports go,
 * and placement and idle options apply live.
 */
public final class SchedulerMain {

    private SchedulerMain() {}

    public static void main(String[] args) throws Exception {
        Env local = Env.system();
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        var health = new HealthRegistry(Duration.ofSeconds(3));
        EtcdConfig shared = EtcdConfig.start(local, BerthConfig.from(local).topicPrefix(), "scheduler", registry, health);
        Env env = shared.overlay(local);
        BerthConfig config = BerthConfig.from(env);
        if (config.kafkaBootstrap().isEmpty()) throw new IllegalArgumentException("kafka.bootstrap (BERTH_KAFKA_BOOTSTRAP) must name the Kafka cluster");
        Admin admin = Admin.create(KafkaClients.admin(config.kafkaBootstrap()));
        TopicBootstrapper.ensure(admin, config.topics(), (short) -1);
        health.register("kafka", () -> KafkaHealth.check(admin));
        ConsumerLag lag = ConsumerLag.start(admin, config.topicPrefix(), registry, ConsumerLag.INTERVAL);
        Scheduler scheduler = Scheduler.start(config, shared.live(snapshot -> SchedulerViews.placement(snapshot.values())), registry, health);
        Consumers consumers = Consumers.start(config, shared, env, registry, health);
        OpsServer ops = OpsServer.start("127.0.0.1", env.integer("BERTH_SCHEDULER_OPS_PORT", 8092, 0, 65535), health, registry);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            ops.close();
            consumers.close();
            scheduler.close();
            lag.close();
            admin.close();
            shared.close();
        }));
    }
}
