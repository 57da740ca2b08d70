package dev.berth.scheduler;

import dev.berth.cluster.EtcdConfig;
import dev.berth.cluster.SchedulerViews;
import dev.berth.common.BerthConfig;
import dev.berth.common.Check;
import dev.berth.common.Env;
import dev.berth.common.HealthRegistry;
import dev.berth.common.RedisLink;
import dev.berth.topology.ConsumersTopology;
import dev.berth.topology.idle.IdleSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the idle checks and usage metering as a Kafka Streams application of their own, beside the
 * scheduler's: they read what the scheduler writes and may lag without delaying a placement.
 */
public final class Consumers implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Consumers.class);
    static final String APPLICATION = "berth-consumers";

    private final KafkaStreams streams;
    private final KafkaStreamsMetrics metrics;
    private final IdleReports reports;

    private Consumers(KafkaStreams streams, KafkaStreamsMetrics metrics, IdleReports reports) {
        this.streams = streams;
        this.metrics = metrics;
        this.reports = reports;
    }

    /**
     * Idle settings from the shared configuration, live; the idle reports go to the Redis the process
     * runs with ({@code env} after {@link EtcdConfig#overlay}: its own variables, else etcd's).
     */
    public static Consumers start(BerthConfig config, EtcdConfig shared, Env env, MeterRegistry registry, HealthRegistry health) {
        return start(config, shared.live(snapshot -> SchedulerViews.idle(snapshot.values())), env.string("BERTH_REDIS_HOST", "127.0.0.1"),
                env.integer("BERTH_REDIS_PORT", 16379, 1, 65535), registry, health);
    }

    /** Redis at {@code redisHost:redisPort} receives the idle reports. */
    public static Consumers start(BerthConfig config, IdleSettings idle, String redisHost, int redisPort,
                                  MeterRegistry registry, HealthRegistry health) {
        return start(config, () -> idle, redisHost, redisPort, registry, health);
    }

    /** {@code idle} is read by every check: the shared configuration's live idle settings. */
    public static Consumers start(BerthConfig config, Supplier<IdleSettings> idle, String redisHost, int redisPort,
                                  MeterRegistry registry, HealthRegistry health) {
        var topics = config.topics();
        var redis = new RedisLink(redisHost, redisPort);
        var reports = new IdleReports(redis, registry);
        health.registerBlocking("redis:idle-reports", redis::check);
        var streams = new KafkaStreams(ConsumersTopology.build(topics, idle, reports,
                reason -> Counter.builder("berth.usage.rejected.samples").tag("reason", reason.wire)
                        .description("Stats samples usage metering did not count, sent to dead-letters").register(registry).increment()),
                StreamsSettings.of(config, APPLICATION, 1));
        streams.setUncaughtExceptionHandler(e -> {
            log.error("idle/usage stream thread died; replacing it", e);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        var metrics = new KafkaStreamsMetrics(streams);
        metrics.bindTo(registry);
        health.registerNow("idle-usage", () -> {
            KafkaStreams.State state = streams.state();
            return state == KafkaStreams.State.RUNNING ? Check.up("streams RUNNING") : Check.down("streams " + state);
        });
        streams.start();
        log.info("idle checks: {}", idle.get().enabled());
        return new Consumers(streams, metrics, reports);
    }

    @Override
    public void close() {
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
        metrics.close();
        reports.close();
    }
}
