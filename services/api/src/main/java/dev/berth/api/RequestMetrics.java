package dev.berth.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;

/**
 * {@code berth_api_request_seconds{route, status}}: one timer per route pattern (never the raw
 * path, so ids do not explode the label set) and answered status.
 */
final class RequestMetrics {

    private static final String ROUTE_KEY = "berth.route";
    private static final String UNMATCHED = "unmatched";

    private final MeterRegistry registry;

    RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The first handler of every request: times it until the response body is written. */
    void begin(RoutingContext ctx) {
        long start = System.nanoTime();
        ctx.addBodyEndHandler(ended -> Timer.builder("berth.api.request")
                .description("HTTP requests by route pattern and status")
                .tag("route", ctx.get(ROUTE_KEY, UNMATCHED))
                .tag("status", Integer.toString(ctx.response().getStatusCode()))
                .register(registry)
                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
        ctx.next();
    }

    /** Names the route a request matched; kept when a failure moves it to the problem handler. */
    static void label(RoutingContext ctx, String route) {
        ctx.put(ROUTE_KEY, route);
    }
}
