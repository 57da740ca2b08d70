package dev.berth.webhooks;

import dev.berth.common.BerthConfig;
import dev.berth.common.Check;
import dev.berth.common.HealthRegistry;
import dev.berth.identity.Migrations;
import dev.berth.identity.PgSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook dispatcher (SPEC HOOK-01/02, AMB-06): the consumer that queues a delivery per session
 * event and receiver in PostgreSQL, and the workers that POST them, signed, retried with backoff and
 * in order per session and receiver, and dead-letter what never gets through. Health is the check
 * {@code webhooks}; metrics are {@link WebhookMetrics}'.
 */
public final class Webhooks implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Webhooks.class);
    static final String GROUP = "berth-webhooks";
    private static final int POOL_SIZE = 4;

    private final Pool pool;
    private final Dispatcher dispatcher;
    private final DeliveryWorkers workers;
    private final Sender sender;
    private final DeadLetters deadLetters;
    private final Duration drainDeadline;

    private Webhooks(Pool pool, Dispatcher dispatcher, DeliveryWorkers workers, Sender sender, DeadLetters deadLetters, Duration drainDeadline) {
        this.pool = pool;
        this.dispatcher = dispatcher;
        this.workers = workers;
        this.sender = sender;
        this.deadLetters = deadLetters;
        this.drainDeadline = drainDeadline;
    }

    /** Migrates PostgreSQL if needed (a no-op after the API did), then consumes and delivers until closed. */
    public static Webhooks start(Vertx vertx, BerthConfig berth, PgSettings pg, WebhookSettings settings,
                                 MeterRegistry registry, HealthRegistry health) {
        return start(vertx, berth, pg, settings, registry, health, berth.topics().prefix() + GROUP, Clock.systemUTC());
    }

    /** With limits read live from {@code settings} (the shared configuration's), on every round and delivery. */
    public static Webhooks start(Vertx vertx, BerthConfig berth, PgSettings pg, Supplier<WebhookSettings> settings,
                                 MeterRegistry registry, HealthRegistry health) {
        return start(vertx, berth, pg, settings, registry, health, berth.topics().prefix() + GROUP, Clock.systemUTC());
    }

    static Webhooks start(Vertx vertx, BerthConfig berth, PgSettings pg, WebhookSettings settings, MeterRegistry registry,
                          HealthRegistry health, String groupId, Clock clock) {
        return start(vertx, berth, pg, () -> settings, registry, health, groupId, clock);
    }

    static Webhooks start(Vertx vertx, BerthConfig berth, PgSettings pg, Supplier<WebhookSettings> settings, MeterRegistry registry,
                          HealthRegistry health, String groupId, Clock clock) {
        Migrations.migrate(pg);
        Pool pool = pg.pool(vertx, POOL_SIZE);
        WebhookMetrics.InFlight inFlight = new WebhookMetrics.InFlight();
        WebhookMetrics metrics = new WebhookMetrics(registry, inFlight);
        Sender sender = new Sender(vertx, settings.get().timeout(), clock);
        DeadLetters deadLetters = new DeadLetters(berth.kafkaBootstrap(), berth.topics().webhookDeadLetters.name());
        DeliveryWorkers workers = new DeliveryWorkers(vertx, new DeliveryStore(pool), sender, deadLetters, settings, metrics, inFlight, clock);
        Dispatcher dispatcher = new Dispatcher(berth.kafkaBootstrap(), berth.topics().sessionEvents.name(), groupId, pool, metrics, workers::nudge);
        Webhooks webhooks = new Webhooks(pool, dispatcher, workers, sender, deadLetters, settings.get().timeout().plusSeconds(5));
        health.registerNow("webhooks", webhooks::check);
        workers.start();
        dispatcher.start();
        log.info("webhook dispatcher consuming {} as {}", berth.topics().sessionEvents.name(), groupId);
        return webhooks;
    }

    private Check check() {
        if (!dispatcher.alive()) return Check.down("the session.events consumer stopped");
        return workers.health();
    }

    /** Stops consuming, lets the POSTs under way settle (each within its timeout), then lets go of the clients. */
    @Override
    public void close() {
        dispatcher.close();
        try {
            workers.stop().toCompletionStage().toCompletableFuture().get(drainDeadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // what is still in flight keeps its lease and is tried again by the next start
            log.warn("webhook deliveries still in flight at close: {}", e.toString());
        }
        sender.close();
        deadLetters.close();
        pool.close();
    }
}
