package dev.berth.api;

import dev.berth.api.health.DependencyChecks;
import dev.berth.api.health.HealthRoute;
import dev.berth.api.problem.ProblemHandler;
import dev.berth.api.session.RequestPublisher;
import dev.berth.api.session.SessionOutputRoutes;
import dev.berth.api.session.SessionRoutes;
import dev.berth.api.session.SessionView;
import dev.berth.common.BerthConfig;
import dev.berth.common.HealthRegistry;
import dev.berth.schema.avro.SessionRequest;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Berth's HTTP API. Wiring only: the router below is the table of contents, the handlers live in
 * their feature packages. The caller owns the producer and the session view; this owns the rest.
 */
public final class ApiServer {

    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    private static final long BODY_LIMIT_BYTES = 64 * 1024;
    private static final Duration CHECK_DEADLINE = Duration.ofSeconds(4);

    private HttpServer http;
    private RequestPublisher publisher;
    private DependencyChecks dependencies;
    private SessionOutputRoutes output;

    /** Starts listening on {@code config.host():config.port()}; the future holds the bound port. */
    public Future<Integer> start(Vertx vertx, BerthConfig berth, ApiConfig config, Producer<String, SessionRequest> producer,
                                 SessionView view, HealthRegistry health, PrometheusMeterRegistry metrics) {
        if (http != null) throw new IllegalStateException("already started");
        publisher = new RequestPublisher(producer, berth.topics().sessionRequests.name(), config.ackTimeout());
        dependencies = new DependencyChecks(vertx, berth.kafkaBootstrap(), config);
        HealthRegistry own = new HealthRegistry(CHECK_DEADLINE);
        dependencies.registerInto(own);
        own.registerNow("session-view", view::health);

        SessionRoutes sessions = new SessionRoutes(view, publisher, metrics);
        output = new SessionOutputRoutes(vertx, config.redisHost(), config.redisPort(), view);
        HealthRoute healthRoute = new HealthRoute(List.of(health, own));
        RequestMetrics requestMetrics = new RequestMetrics(metrics);
        ProblemHandler problems = new ProblemHandler();

        Router router = Router.router(vertx);
        router.route().handler(requestMetrics::begin);
        router.route().handler(BodyHandler.create().setBodyLimit(BODY_LIMIT_BYTES));
        on(router, HttpMethod.POST, "/v1/sessions", sessions::create);
        on(router, HttpMethod.GET, "/v1/sessions", sessions::list);
        on(router, HttpMethod.GET, "/v1/sessions/:id", sessions::get);
        on(router, HttpMethod.DELETE, "/v1/sessions/:id", sessions::destroy);
        on(router, HttpMethod.POST, "/v1/sessions/:id/rename", sessions::rename);
        on(router, HttpMethod.GET, "/v1/sessions/:id/logs", output::logs);
        on(router, HttpMethod.GET, "/v1/sessions/:id/stats", output::stats);
        on(router, HttpMethod.GET, "/v1/health", healthRoute::handle);
        on(router, HttpMethod.GET, "/metrics", ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape()));
        router.route().failureHandler(problems);
        router.errorHandler(404, problems);
        router.errorHandler(405, problems);

        return vertx.createHttpServer()
                .requestHandler(router)
                .listen(config.port(), config.host())
                .map(server -> {
                    http = server;
                    log.info("Berth API listening on {}:{}", config.host(), server.actualPort());
                    return server.actualPort();
                });
    }

    /** Stops listening, then releases the clients this server made; the producer and view stay open. */
    public Future<Void> close() {
        Future<Void> stopped = http == null ? Future.succeededFuture() : http.close();
        return stopped.andThen(done -> {
            if (publisher != null) publisher.close();
            if (dependencies != null) dependencies.close();
            if (output != null) output.close();
        });
    }

    private static void on(Router router, HttpMethod method, String path, Handler<RoutingContext> handler) {
        String route = method.name() + " " + path;
        router.route(method, path).handler(ctx -> {
            RequestMetrics.label(ctx, route);
            handler.handle(ctx);
        });
    }
}
