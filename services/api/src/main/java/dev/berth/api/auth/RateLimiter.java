package dev.berth.api.auth;

import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.Command;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * AUTH-12: at most the keypair's {@code rate_limit} requests in a sliding window, counted in
 * Redis (one sorted set of request times per keypair) so that every API instance shares the
 * count. The check and the increment are one script, with Redis' own clock, so instances with
 * skewed clocks still agree. Over the limit: 429 with Retry-After.
 */
public final class RateLimiter implements Handler<RoutingContext> {

    /** KEYS[1] = the keypair's set; ARGV = window ms, limit, member. Returns {allowed, count, retry-after ms}. */
    private static final String SCRIPT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local window = tonumber(ARGV[1])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
            local count = redis.call('ZCARD', KEYS[1])
            if count >= tonumber(ARGV[2]) then
              local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
              return {0, count, tonumber(oldest[2]) + window - now}
            end
            redis.call('ZADD', KEYS[1], now, ARGV[3])
            redis.call('PEXPIRE', KEYS[1], window)
            return {1, count + 1, 0}""";
    private static final String KEY_PREFIX = "berth:rlim:";

    private final Redis redis;
    /** Read per request: api.rate-window of the shared configuration, live. */
    private final Supplier<Duration> window;

    public RateLimiter(Redis redis, Supplier<Duration> window) {
        this.redis = redis;
        this.window = window;
    }

    @Override
    public void handle(RoutingContext ctx) {
        Principal principal = Principal.orNull(ctx);
        if (principal == null) {
            ctx.next();
            return;
        }
        Duration window = this.window.get();
        count(principal, window).onComplete(result -> {
            if (result.failed()) {
                ctx.fail(new ProblemException(ProblemKind.SERVICE_UNAVAILABLE, "cannot reach Redis for rate limits: " + result.cause().getMessage(), result.cause()));
                return;
            }
            Response answer = result.result();
            int used = answer.get(1).toInteger();
            ctx.response().putHeader("X-RateLimit-Limit", Integer.toString(principal.rateLimit()));
            ctx.response().putHeader("X-RateLimit-Remaining", Integer.toString(Math.max(0, principal.rateLimit() - used)));
            if (answer.get(0).toInteger() == 1) {
                ctx.next();
                return;
            }
            long retryAfterSeconds = Math.max(1, (answer.get(2).toLong() + 999) / 1000);
            ctx.response().putHeader("Retry-After", Long.toString(retryAfterSeconds));
            ctx.fail(new ProblemException(ProblemKind.RATE_LIMIT_EXCEEDED, "keypair " + principal.accessKey() + " made "
                    + principal.rateLimit() + " requests in the last " + window.toSeconds() + " s; retry after " + retryAfterSeconds + " s"));
        });
    }

    private Future<Response> count(Principal principal, Duration window) {
        return redis.send(Request.cmd(Command.EVAL).arg(SCRIPT).arg(1).arg(KEY_PREFIX + principal.accessKey())
                .arg(window.toMillis()).arg(principal.rateLimit()).arg(UUID.randomUUID().toString()));
    }
}
