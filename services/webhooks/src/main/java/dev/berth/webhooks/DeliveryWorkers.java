package dev.berth.webhooks;

import dev.berth.common.Check;
import dev.berth.webhooks.Attempts.Outcome;
import dev.berth.webhooks.Attempts.Result;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends queued deliveries, one queue per receiver. Each round claims what is due from PostgreSQL:
 * only the earliest pending delivery of each (receiver, session), and per receiver no more than the
 * concurrency setting less what is in flight already. So a slow or dead receiver holds up only its
 * own deliveries, and a session's next event goes to a receiver only after the one before it was
 * delivered or dead-lettered. A round runs when told (new deliveries, a delivery settled, a retry
 * falls due) and every poll interval; everything here runs on one Vert.x context.
 */
final class DeliveryWorkers {

    private static final Logger log = LoggerFactory.getLogger(DeliveryWorkers.class);
    /** Deliveries claimed per round at most; a round with a full batch is followed by another at once. */
    private static final int BATCH = 100;
    private static final Duration DEPTH_INTERVAL = Duration.ofSeconds(5);

    private final Vertx vertx;
    private final DeliveryStore store;
    private final Sender sender;
    private final DeadLetters deadLetters;
    /** Read per round and per delivery: the shared configuration may change the limits at any time. */
    private final Supplier<WebhookSettings> live;
    private final WebhookMetrics metrics;
    private final WebhookMetrics.InFlight inFlightTotal;
    private final Clock clock;
    private final Map<String, Integer> inFlight = new HashMap<>();
    private Context context;
    private long pollTimer = -1;
    private long depthTimer = -1;
    private boolean claiming;
    private boolean again;
    private boolean stopping;
    private Promise<Void> drained;
    private volatile Check lastClaim = Check.up("no round yet");

    DeliveryWorkers(Vertx vertx, DeliveryStore store, Sender sender, DeadLetters deadLetters, Supplier<WebhookSettings> settings,
                    WebhookMetrics metrics, WebhookMetrics.InFlight inFlightTotal, Clock clock) {
        this.vertx = vertx;
        this.store = store;
        this.sender = sender;
        this.deadLetters = deadLetters;
        this.live = settings;
        this.metrics = metrics;
        this.inFlightTotal = inFlightTotal;
        this.clock = clock;
    }

    void start() {
        context = vertx.getOrCreateContext();
        context.runOnContext(started -> {
            pollTimer = vertx.setPeriodic(live.get().poll().toMillis(), tick -> round());
            depthTimer = vertx.setPeriodic(DEPTH_INTERVAL.toMillis(), tick -> store.depths()
                    .onSuccess(metrics::depths)
                    .onFailure(e -> log.debug("webhook queue depths not read: {}", e.getMessage())));
            round();
        });
    }

    /** Safe from any thread: a round soon, for deliveries that were just queued. */
    void nudge() {
        if (context != null) context.runOnContext(nudged -> round());
    }

    /** No more rounds; completes once every POST under way has settled. */
    Future<Void> stop() {
        if (context == null) return Future.succeededFuture();
        Promise<Void> done = Promise.promise();
        context.runOnContext(stop -> {
            stopping = true;
            vertx.cancelTimer(pollTimer);
            vertx.cancelTimer(depthTimer);
            drained = done;
            drainedIfIdle();
        });
        return done.future();
    }

    Check health() {
        return lastClaim.up() ? Check.up(inFlightTotal.getAsInt() + " in flight; " + lastClaim.detail()) : lastClaim;
    }

    private void round() {
        if (stopping) return;
        if (claiming) {
            again = true;
            return;
        }
        claiming = true;
        WebhookSettings settings = live.get();
        store.claim(Map.copyOf(inFlight), settings.concurrency(), BATCH, settings.lease())
                .onSuccess(claimed -> {
                    lastClaim = Check.up("last round claimed " + claimed.size());
                    claimed.forEach(this::send);
                    if (claimed.size() == BATCH) again = true;
                })
                .onFailure(e -> {
                    lastClaim = Check.down("deliveries could not be claimed: " + e.getMessage());
                    log.warn("webhook deliveries could not be claimed: {}", e.getMessage());
                })
                .onComplete(done -> {
                    claiming = false;
                    if (again) {
                        again = false;
                        round();
                    }
                });
    }

    private void send(DeliveryStore.Claimed delivery) {
        inFlight.merge(delivery.receiver(), 1, Integer::sum);
        inFlightTotal.add();
        WebhookSettings settings = live.get();
        Optional<String> refused = settings.urls().problem(delivery.url());
        Future<Result> tried = refused.isPresent()
                ? Future.succeededFuture(new Result.Refused(refused.get()))
                : sender.post(delivery, delivery.secret() != null ? Optional.of(delivery.secret()) : settings.secret(), settings.timeout());
        tried.compose(result -> settle(delivery, Attempts.decide(result, delivery.attempts(), settings)))
                .onFailure(e -> log.warn("webhook delivery {} to {} not settled, tried again once its lease ends: {}",
                        delivery.id(), delivery.label(), e.getMessage()))
                .onComplete(done -> {
                    inFlight.computeIfPresent(delivery.receiver(), (receiver, count) -> count == 1 ? null : count - 1);
                    inFlightTotal.remove();
                    if (stopping) drainedIfIdle();
                    else round();
                });
    }

    /** Writes the outcome; the session's next delivery to this receiver is claimable once this is not pending. */
    private Future<Void> settle(DeliveryStore.Claimed delivery, Outcome outcome) {
        return switch (outcome) {
            case Outcome.Delivered delivered -> store.delivered(delivery.id())
                    .onSuccess(done -> metrics.outcome(delivery.label(), "delivered"));
            case Outcome.Retry retry -> store.retry(delivery.id(), retry.delay(), retry.error())
                    .onSuccess(done -> {
                        metrics.outcome(delivery.label(), "retried");
                        // so that the retry goes when it is due, not at the next poll
                        vertx.setTimer(Math.max(1, retry.delay().toMillis()), due -> round());
                    });
            case Outcome.DeadLetter dead -> deadLetters.publish(delivery, dead.reason(), clock.instant(), context)
                    .compose(published -> store.failed(delivery.id(), dead.reason()))
                    .onSuccess(done -> {
                        metrics.outcome(delivery.label(), "failed");
                        log.info("webhook delivery {} ({} of session {}) to {} failed after {} attempt(s): {}", delivery.id(),
                                delivery.event(), delivery.sessionId(), delivery.label(), delivery.attempts(), dead.reason());
                    });
        };
    }

    private void drainedIfIdle() {
        if (drained != null && inFlight.isEmpty()) drained.tryComplete();
    }
}
