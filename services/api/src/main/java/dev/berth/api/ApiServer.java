package dev.berth.api;

import dev.berth.api.admin.AdminRoutes;
import dev.berth.api.admin.AgentCommandPublisher;
import dev.berth.api.admin.AgentRoutes;
import dev.berth.api.admin.ConfigRoutes;
import dev.berth.api.auth.Authenticator;
import dev.berth.api.compat.CompatRoutes;
import dev.berth.api.compat.GraphQLRoutes;
import dev.berth.api.auth.KeypairStore;
import dev.berth.api.auth.RateLimiter;
import dev.berth.api.events.EventRoutes;
import dev.berth.api.events.KafkaReplay;
import dev.berth.api.health.DependencyChecks;
import dev.berth.api.health.HealthRoute;
import dev.berth.api.problem.ProblemHandler;
import dev.berth.api.resource.AgentView;
import dev.berth.api.resource.ResourceRoutes;
import dev.berth.api.session.ActivityPublisher;
import dev.berth.api.session.CreateContextStore;
import dev.berth.api.session.RequestPublisher;
import dev.berth.api.session.SessionOutputRoutes;
import dev.berth.api.session.SessionRoutes;
import dev.berth.api.session.SessionView;
import dev.berth.api.usage.UsageRoutes;
import dev.berth.api.webhook.WebhookRoutes;
import dev.berth.cluster.ConfigKeys;
import dev.berth.cluster.EtcdConfig;
import dev.berth.common.BerthConfig;
import dev.berth.common.HealthRegistry;
import dev.berth.identity.Bootstrap;
import dev.berth.identity.HistoryRetention;
import dev.berth.identity.Leadership;
import dev.berth.identity.Migrations;
import dev.berth.identity.OutboxRelay;
import dev.berth.identity.PgSettings;
import dev.berth.identity.SessionProjector;
import dev.berth.identity.SessionReconciliation;
import dev.berth.identity.UsageProjector;
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
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Berth's HTTP API. Wiring only: the router below is the table of contents, the handlers live in
 * their feature packages. The caller owns the producer, the session view and the watch of the
 * shared configuration; this owns the rest:
 * at start it migrates PostgreSQL, bootstraps the defaults (and the superadmin's keypair file in
 * the state directory), starts the outbox relay that streams policies to the scheduler, the
 * projectors that keep the sessions and usage tables in step with session.events and the usage
 * topics, and two leader-only jobs, each run by the instance that leads its own etcd election:
 * history retention and the reconciliation of the sessions table with the session view.
 */
public final class ApiServer {

    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    private static final long BODY_LIMIT_BYTES = 64 * 1024;
    private static final Duration CHECK_DEADLINE = Duration.ofSeconds(4);
    private static final Duration RELAY_INTERVAL = Duration.ofMillis(250);
    private static final int POOL_SIZE = 8;
    /** AGT-03: an agent without a heartbeat for this long is not counted as room for sessions. */
    private static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(40);
    /** CFG-06: rate-limit counters live in Redis' RLIM database. */
    private static final int RATE_LIMIT_DB = 1;
    /** How long a retention leader that stopped answering holds its lease before another instance takes over. */
    private static final Duration LEADER_TTL = Duration.ofSeconds(10);
    /** How often the read model is compared with the view, and how long a session must have been ended before its row counts as stuck. */
    private static final Duration RECONCILE_INTERVAL = Duration.ofMinutes(1);
    private static final Duration RECONCILE_GRACE = Duration.ofMinutes(1);

    private HttpServer http;
    private RequestPublisher publisher;
    private DependencyChecks dependencies;
    private SessionOutputRoutes output;
    private ActivityPublisher activity;
    private Vertx vertx;
    private Pool pool;
    private Redis redis;
    private Producer<String, byte[]> relayProducer;
    private OutboxRelay relay;
    private SessionProjector projector;
    private UsageProjector usageProjector;
    private Leadership leadership;
    private HistoryRetention retention;
    private Leadership reconcileLeadership;
    private SessionReconciliation reconciliation;
    private AgentView agents;
    private AgentCommandPublisher agentCommands;
    private EtcdConfig shared;

    /**
     * Starts listening on {@code config.host():config.port()}; the future holds the bound port.
     *
     * @param shared the process' watch of the shared configuration, started, its health check in
     *               {@code health}; the caller closes it after this server
     */
    public Future<Integer> start(Vertx vertx, BerthConfig berth, ApiConfig config, EtcdConfig shared,
                                 Producer<String, SessionRequest> producer, SessionView view, HealthRegistry health,
                                 PrometheusMeterRegistry metrics) {
        if (this.vertx != null) throw new IllegalStateException("already started");
        this.vertx = vertx;
        this.shared = shared;
        PgSettings pg = config.pg();
        return vertx.executeBlocking(() -> Migrations.migrate(pg))
                .compose(migrated -> {
                    pool = pg.pool(vertx, POOL_SIZE);
                    return Bootstrap.run(vertx, pool, berth.stateDir());
                })
                .compose(bootstrapped -> {
                    relayProducer = OutboxRelay.createProducer(berth.kafkaBootstrap());
                    relay = new OutboxRelay(vertx, pool, relayProducer, berth.topics(), RELAY_INTERVAL);
                    relay.start();
                    projector = new SessionProjector(berth.kafkaBootstrap(), berth.topics().sessionEvents.name(),
                            berth.topics().prefix() + "berth-session-projector", pool);
                    projector.start();
                    usageProjector = new UsageProjector(berth.kafkaBootstrap(), berth.topics(),
                            berth.topics().prefix() + "berth-usage-projector", pool);
                    usageProjector.start();
                    String etcd = "http://" + config.etcdHost() + ":" + config.etcdPort();
                    // EVT-07: the node id tells operators which instance leads; the pid and a nonce keep candidates apart
                    String candidate = berth.instanceId() + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID();
                    leadership = Leadership.connect(etcd, Leadership.electionFor(HistoryRetention.ELECTION, pg), candidate, LEADER_TTL);
                    leadership.start();
                    retention = new HistoryRetention(pool, leadership, config.historyRetention(), config.historyInterval());
                    retention.start();
                    reconcileLeadership = Leadership.connect(etcd, Leadership.electionFor(SessionReconciliation.ELECTION, pg), candidate, LEADER_TTL);
                    reconcileLeadership.start();
                    reconciliation = new SessionReconciliation(pool, reconcileLeadership, view::get, RECONCILE_GRACE, RECONCILE_INTERVAL);
                    reconciliation.start();
                    redis = Redis.createClient(vertx, new RedisOptions()
                            .setConnectionString("redis://" + config.redisHost() + ":" + config.redisPort() + "/" + RATE_LIMIT_DB)
                            .setMaxPoolSize(POOL_SIZE));
                    return listen(vertx, berth, config, producer, view, health, metrics);
                });
    }

    private Future<Integer> listen(Vertx vertx, BerthConfig berth, ApiConfig config, Producer<String, SessionRequest> producer,
                                   SessionView view, HealthRegistry health, PrometheusMeterRegistry metrics) {
        publisher = new RequestPublisher(producer, berth.topics().sessionRequests.name(), config.ackTimeout());
        dependencies = new DependencyChecks(vertx, berth.kafkaBootstrap(), config);
        HealthRegistry own = new HealthRegistry(CHECK_DEADLINE);
        dependencies.registerInto(own);
        own.registerNow("session-view", view::health);
        own.register("outbox", relay::health);

        KeypairStore keypairs = new KeypairStore(pool);
        Authenticator authenticator = new Authenticator(keypairs, Clock.systemUTC());
        RateLimiter rateLimiter = new RateLimiter(redis, shared.live(snapshot -> snapshot.values().get(ConfigKeys.RATE_WINDOW)));
        AdminRoutes admin = new AdminRoutes(pool, relay::nudge, () -> shared.snapshot().values().get(ConfigKeys.RATE_LIMIT_DEFAULT));
        agents = new AgentView(berth.kafkaBootstrap(), berth.topics().agentHeartbeats.name(), HEARTBEAT_TIMEOUT, Clock.systemUTC());
        agents.start();
        agentCommands = new AgentCommandPublisher(berth.kafkaBootstrap(), berth.topics().agentCommands.name(), config.ackTimeout());
        AgentRoutes agentRoutes = new AgentRoutes(agents, agentCommands);
        SessionRoutes sessions = new SessionRoutes(view, publisher, keypairs, new CreateContextStore(pool), agents, metrics, config.receiverUrls());
        ResourceRoutes resources = new ResourceRoutes(pool, view, agents);
        UsageRoutes usage = new UsageRoutes(pool, view, Clock.systemUTC());
        EventRoutes events = new EventRoutes(view, new KafkaReplay(berth.kafkaBootstrap(), berth.topics().sessionEvents.name()),
                config.eventsHeartbeat(), config.eventsBuffer());
        WebhookRoutes webhooks = new WebhookRoutes(pool, config.receiverUrls());
        activity = new ActivityPublisher(berth.kafkaBootstrap(), berth.topics().sessionActivity.name());
        output = new SessionOutputRoutes(vertx, config.redisHost(), config.redisPort(), view, activity, Clock.systemUTC());
        HealthRoute healthRoute = new HealthRoute(List.of(health, own));
        RequestMetrics requestMetrics = new RequestMetrics(metrics);
        ProblemHandler problems = new ProblemHandler();
        CompatRoutes compat = new CompatRoutes(view, sessions, output, resources, events, new GraphQLRoutes(view, pool),
                authenticator, rateLimiter, BODY_LIMIT_BYTES);

        Router router = Router.router(vertx);
        router.route().handler(requestMetrics::begin);
        // the original Backend.AI paths at the root, each signed and read as the original's clients do
        compat.routes().forEach(route -> on(router, route.method(), route.path(), route.handlers()));
        // AUTH-05: the signature is checked from the headers alone, before the body is read
        router.route("/v1/*").handler(authenticator);
        router.route("/v1/*").handler(rateLimiter);
        router.route().handler(BodyHandler.create().setBodyLimit(BODY_LIMIT_BYTES));
        on(router, HttpMethod.POST, "/v1/sessions", sessions::create);
        on(router, HttpMethod.GET, "/v1/sessions", sessions::list);
        on(router, HttpMethod.GET, "/v1/sessions/:id", sessions::get);
        on(router, HttpMethod.DELETE, "/v1/sessions/:id", sessions::destroy);
        on(router, HttpMethod.POST, "/v1/sessions/:id/rename", sessions::rename);
        on(router, HttpMethod.GET, "/v1/sessions/:id/logs", output::logs);
        on(router, HttpMethod.GET, "/v1/sessions/:id/stats", output::stats);
        on(router, HttpMethod.GET, "/v1/sessions/:id/idle-checks", output::idleChecks);
        on(router, HttpMethod.GET, "/v1/resources/presets", resources::presets);
        on(router, HttpMethod.GET, "/v1/resources/check-presets", resources::checkPresets);
        on(router, HttpMethod.GET, "/v1/resources/usage", resources::usage);
        on(router, HttpMethod.GET, "/v1/scaling-groups", resources::scalingGroups);
        on(router, HttpMethod.GET, "/v1/usage", usage::usage);
        on(router, HttpMethod.GET, "/v1/events/sessions", events::sessions);
        on(router, HttpMethod.POST, "/v1/webhooks", webhooks::create);
        on(router, HttpMethod.GET, "/v1/webhooks", webhooks::list);
        // before /v1/webhooks/:id, which would take "failures" for an id
        on(router, HttpMethod.GET, "/v1/webhooks/failures", webhooks::failures);
        on(router, HttpMethod.POST, "/v1/webhooks/failures/:id/redeliver", webhooks::redeliver);
        on(router, HttpMethod.GET, "/v1/webhooks/:id", webhooks::get);
        on(router, HttpMethod.DELETE, "/v1/webhooks/:id", webhooks::delete);
        admin.routes().forEach(route -> on(router, route.method(), route.path(), route.handler()));
        agentRoutes.routes().forEach(route -> on(router, route.method(), route.path(), route.handler()));
        new ConfigRoutes(shared).routes().forEach(route -> on(router, route.method(), route.path(), route.handler()));
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
        if (vertx == null) return Future.succeededFuture();
        Future<Void> stopped = http == null ? Future.succeededFuture() : http.close();
        return stopped.andThen(done -> {
            if (publisher != null) publisher.close();
            if (dependencies != null) dependencies.close();
            if (output != null) output.close();
            if (relay != null) relay.close();
            if (redis != null) redis.close();
        }).compose(done -> vertx.executeBlocking(() -> {
            // consumers and the producer block while they stop: off the event loop
            if (retention != null) retention.close();
            if (leadership != null) leadership.close();
            if (reconciliation != null) reconciliation.close();
            if (reconcileLeadership != null) reconcileLeadership.close();
            if (projector != null) projector.close();
            if (usageProjector != null) usageProjector.close();
            if (agents != null) agents.close();
            if (agentCommands != null) agentCommands.close();
            if (activity != null) activity.close();
            if (relayProducer != null) relayProducer.close(Duration.ofSeconds(5));
            return null;
        })).compose(done -> pool == null ? Future.<Void>succeededFuture() : pool.close());
    }

    private static void on(Router router, HttpMethod method, String path, Handler<RoutingContext> handler) {
        on(router, method, path, List.of(handler));
    }

    /** A route whose handlers run in turn, each passing on with {@code ctx.next()}. */
    private static void on(Router router, HttpMethod method, String path, List<Handler<RoutingContext>> handlers) {
        String route = method.name() + " " + path;
        var mounted = router.route(method, path).handler(ctx -> {
            RequestMetrics.label(ctx, route);
            ctx.next();
        });
        handlers.forEach(mounted::handler);
    }
}
