package dev.berth.webhooks;

import dev.berth.webhooks.Attempts.Result;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * POSTs one delivery and says what came of it, never failing: an answer is a status, anything else
 * (a refused connection, a TLS error, no answer within the timeout) is an error text. Redirects are
 * not followed: a receiver that moved must be subscribed again, at an URL that was checked.
 */
final class Sender implements AutoCloseable {

    static final String EVENT_ID_HEADER = "X-Berth-Event-Id";
    static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
    /** Connections per receiver host and port; deliveries of one receiver are bounded by the concurrency setting. */
    private static final int CONNECTIONS_PER_HOST = 256;

    private final Vertx vertx;
    private final HttpClient client;
    private final Clock clock;

    /** {@code idle}: how long a pooled connection may stay unused. */
    Sender(Vertx vertx, Duration idle, Clock clock) {
        this.vertx = vertx;
        this.clock = clock;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                        .setIdleTimeout((int) idle.toSeconds() + 1)
                        .setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(CONNECTIONS_PER_HOST));
    }

    /**
     * @param secret  signs the body; empty: sent unsigned
     * @param timeout for the whole exchange, from connecting to the answer's last byte
     */
    Future<Result> post(DeliveryStore.Claimed delivery, Optional<String> secret, Duration timeout) {
        byte[] bytes = delivery.payload().getBytes(StandardCharsets.UTF_8);
        long timestamp = clock.instant().getEpochSecond();
        Promise<Result> result = Promise.promise();
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        // one deadline for the whole exchange: a receiver that accepts and then trickles must not hold its queue
        long deadline = vertx.setTimer(timeout.toMillis(), id -> {
            if (result.tryComplete(new Result.Failed("no answer within " + timeout.toMillis() + " ms")) && sent.get() != null) {
                sent.get().reset();
            }
        });
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(delivery.url())
                .setFollowRedirects(false)
                .setConnectTimeout(timeout.toMillis());
        client.request(options)
                .compose(request -> {
                    sent.set(request);
                    request.putHeader("Content-Type", "application/json");
                    request.putHeader("User-Agent", "Berth-Webhooks");
                    request.putHeader(Signature.TIMESTAMP_HEADER, Long.toString(timestamp));
                    secret.ifPresent(key -> request.putHeader(Signature.HEADER, Signature.header(key, timestamp, bytes)));
                    request.putHeader(EVENT_ID_HEADER, delivery.eventId().toString());
                    request.putHeader(IDEMPOTENCY_KEY_HEADER, delivery.id().toString());
                    return request.send(Buffer.buffer(bytes));
                })
                .compose(response -> response.end().map(done -> response.statusCode()))
                .onComplete(done -> {
                    vertx.cancelTimer(deadline);
                    result.tryComplete(done.succeeded() ? new Result.Answered(done.result()) : new Result.Failed(describe(done.cause())));
                });
        return result.future();
    }

    private static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    @Override
    public void close() {
        client.close();
    }
}
