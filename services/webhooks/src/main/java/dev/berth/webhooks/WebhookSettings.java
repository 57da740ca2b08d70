package dev.berth.webhooks;

import dev.berth.api.webhook.UrlPolicy;
import dev.berth.cluster.ConfigKeys;
import dev.berth.cluster.ConfigValues;
import dev.berth.common.Env;
import java.time.Duration;
import java.util.Optional;

/**
 * How the dispatcher delivers. The limits come from the shared configuration and may change while
 * it runs ({@link #with}); the poll interval is taken at start.
 *
 * @param timeout     BERTH_WEBHOOK_TIMEOUT: how long one POST may take, from connecting to the answer's last byte (5s)
 * @param attempts    BERTH_WEBHOOK_ATTEMPTS: tries per delivery before it is dead-lettered (6)
 * @param backoff     BERTH_WEBHOOK_BACKOFF: the wait after the first failed try, doubled after each further one (1s)
 * @param maxBackoff  BERTH_WEBHOOK_BACKOFF_MAX: the longest wait between two tries (5m)
 * @param concurrency BERTH_WEBHOOK_CONCURRENCY: POSTs in flight at once per receiver, each of another session (4)
 * @param poll        BERTH_WEBHOOK_POLL: how often the workers look for due deliveries when nothing told them (1s)
 * @param secret      BERTH_WEBHOOK_SECRET: signs deliveries to a session's callbackUrl, which has no subscription
 *                    secret; empty (the default): those go unsigned
 * @param urls        BERTH_DEV_MODE, BERTH_WEBHOOK_DENY: checked again before every POST, as the list may have
 *                    changed since the URL was accepted
 */
public record WebhookSettings(Duration timeout, int attempts, Duration backoff, Duration maxBackoff, int concurrency,
                              Duration poll, Optional<String> secret, UrlPolicy urls) {

    public WebhookSettings {
        positive("BERTH_WEBHOOK_TIMEOUT", timeout);
        positive("BERTH_WEBHOOK_BACKOFF", backoff);
        positive("BERTH_WEBHOOK_POLL", poll);
        if (maxBackoff.compareTo(backoff) < 0) throw new IllegalArgumentException("BERTH_WEBHOOK_BACKOFF_MAX must be at least BERTH_WEBHOOK_BACKOFF");
        if (attempts < 1) throw new IllegalArgumentException("BERTH_WEBHOOK_ATTEMPTS must be at least 1");
        if (concurrency < 1) throw new IllegalArgumentException("BERTH_WEBHOOK_CONCURRENCY must be at least 1");
    }

    public static WebhookSettings from(Env env) {
        String secret = env.string("BERTH_WEBHOOK_SECRET", "");
        return new WebhookSettings(
                env.duration("BERTH_WEBHOOK_TIMEOUT", Duration.ofSeconds(5)),
                env.integer("BERTH_WEBHOOK_ATTEMPTS", 6, 1, 100),
                env.duration("BERTH_WEBHOOK_BACKOFF", Duration.ofSeconds(1)),
                env.duration("BERTH_WEBHOOK_BACKOFF_MAX", Duration.ofMinutes(5)),
                env.integer("BERTH_WEBHOOK_CONCURRENCY", 4, 1, 256),
                env.duration("BERTH_WEBHOOK_POLL", Duration.ofSeconds(1)),
                secret.isEmpty() ? Optional.empty() : Optional.of(secret),
                UrlPolicy.from(env));
    }

    /**
     * These settings with the delivery limits of the shared configuration (webhook.*); the secret and
     * the URL policy stay the process' own.
     */
    public WebhookSettings with(ConfigValues shared) {
        return new WebhookSettings(shared.get(ConfigKeys.WEBHOOK_TIMEOUT), shared.get(ConfigKeys.WEBHOOK_ATTEMPTS),
                shared.get(ConfigKeys.WEBHOOK_BACKOFF), shared.get(ConfigKeys.WEBHOOK_BACKOFF_MAX),
                shared.get(ConfigKeys.WEBHOOK_CONCURRENCY), shared.get(ConfigKeys.WEBHOOK_POLL), secret, urls);
    }

    /**
     * How long a claimed delivery is kept from other workers: its POST's timeout, the time to write
     * the outcome, and a margin. Only a worker that died mid-POST lets it run out; then the delivery
     * is tried again, which is why receivers get it at least once rather than exactly once.
     */
    public Duration lease() {
        return timeout.multipliedBy(2).plusSeconds(5);
    }

    private static void positive(String name, Duration value) {
        if (!value.isPositive()) throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
}
