package dev.berth.scheduler;

import dev.berth.common.BerthConfig;
import dev.berth.common.Check;
import dev.berth.common.HealthRegistry;
import dev.berth.topology.SchedulerTopology;
import dev.berth.topology.admission.AdmissionOptions;
import dev.berth.topology.placement.PlacementOptions;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the admission, placement and lifecycle topologies as one Kafka Streams application. */
public final class Scheduler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

    /** One per core here: a thread waiting for its commit leaves the other the CPU. */
    static final int STREAM_THREADS = 2;
    static final String APPLICATION = "berth-scheduler";

    private final KafkaStreams streams;
    private final KafkaStreamsMetrics metrics;

    private Scheduler(KafkaStreams streams, KafkaStreamsMetrics metrics) {
        this.streams = streams;
        this.metrics = metrics;
    }

    public static Scheduler start(BerthConfig config, PlacementOptions placement, MeterRegistry registry, HealthRegistry health) {
        return start(config, () -> placement, registry, health);
    }

    /** {@code placement} is read on every pass: the shared configuration's live placement options. */
    public static Scheduler start(BerthConfig config, Supplier<PlacementOptions> placement, MeterRegistry registry, HealthRegistry health) {
        var topics = config.topics();
        var streams = new KafkaStreams(SchedulerTopology.build(topics, AdmissionOptions.DEFAULTS, placement, new SchedulerMetrics(registry)),
                StreamsSettings.of(config, APPLICATION, STREAM_THREADS));
        streams.setUncaughtExceptionHandler(e -> {
            log.error("scheduler stream thread died; replacing it", e);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        var metrics = new KafkaStreamsMetrics(streams);
        metrics.bindTo(registry);
        health.registerNow("scheduler", () -> {
            KafkaStreams.State state = streams.state();
            return state == KafkaStreams.State.RUNNING ? Check.up("streams RUNNING") : Check.down("streams " + state);
        });
        streams.start();
        return new Scheduler(streams, metrics);
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public void close() {
        // leave the group, so that a successor takes the tasks over at once instead of after the session timeout
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
        metrics.close();
    }
}
