package dev.berth.webhooks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * The dispatcher's meters: {@code berth_webhook_queued_total} (deliveries queued from events),
 * {@code berth_webhook_deliveries_total{receiver,outcome}} (tries that were delivered, will be
 * retried, or failed for good), {@code berth_webhook_queue_depth{receiver}} (pending deliveries)
 * and {@code berth_webhook_in_flight} (POSTs under way).
 */
final class WebhookMetrics {

    private final MeterRegistry registry;
    private final Counter queued;
    private final Map<String, AtomicLong> depths = new ConcurrentHashMap<>();
    private final Map<String, Gauge> depthGauges = new ConcurrentHashMap<>();

    WebhookMetrics(MeterRegistry registry, IntSupplier inFlight) {
        this.registry = registry;
        this.queued = Counter.builder("berth.webhook.queued").description("Webhook deliveries queued from session events").register(registry);
        Gauge.builder("berth.webhook.in.flight", inFlight::getAsInt).description("Webhook POSTs under way").register(registry);
    }

    void queued(int deliveries) {
        queued.increment(deliveries);
    }

    /** @param outcome delivered, retried or failed */
    void outcome(String receiver, String outcome) {
        Counter.builder("berth.webhook.deliveries").tag("receiver", receiver).tag("outcome", outcome)
                .description("Webhook tries by receiver and what came of them").register(registry).increment();
    }

    /** The pending deliveries per receiver now; a receiver no longer listed has none, and its gauge goes. */
    void depths(Map<String, Long> now) {
        now.forEach((receiver, depth) -> depths.computeIfAbsent(receiver, this::gauge).set(depth));
        for (String receiver : depths.keySet()) {
            if (now.containsKey(receiver)) continue;
            depths.remove(receiver);
            Gauge gone = depthGauges.remove(receiver);
            if (gone != null) registry.remove(gone);
        }
    }

    private AtomicLong gauge(String receiver) {
        AtomicLong depth = new AtomicLong();
        depthGauges.put(receiver, Gauge.builder("berth.webhook.queue.depth", depth, AtomicLong::get).tag("receiver", receiver)
                .description("Pending webhook deliveries per receiver").register(registry));
        return depth;
    }

    /** A counter of in-flight POSTs the gauge reads. */
    static final class InFlight implements IntSupplier {
        private final AtomicInteger count = new AtomicInteger();

        void add() {
            count.incrementAndGet();
        }

        void remove() {
            count.decrementAndGet();
        }

        @Override
        public int getAsInt() {
            return count.get();
        }
    }
}
