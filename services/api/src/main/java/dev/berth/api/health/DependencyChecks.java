package dev.berth.api.health;

import dev.berth.api.ApiConfig;
import dev.berth.common.Check;
import dev.berth.common.HealthRegistry;
import dev.berth.common.KafkaClients;
import dev.berth.common.KafkaHealth;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.admin.Admin;

/**
 * The API's own health checks: can it reach Kafka, PostgreSQL, Redis and etcd. Each is one
 * non-blocking round trip on a small client made for it, so /v1/health never blocks the event loop.
 */
public final class DependencyChecks implements AutoCloseable {

    private static final int CONNECT_TIMEOUT_MS = 2_000;

    private final ApiConfig config;
    private final Admin admin;
    private final Pool postgres;
    private final Redis redis;
    private final WebClient web;

    public DependencyChecks(Vertx vertx, String kafkaBootstrap, ApiConfig config) {
        this.config = config;
        this.admin = Admin.create(KafkaClients.admin(kafkaBootstrap));
        this.postgres = PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(1))
                .with(new NetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS))
                .connectingTo(new PgConnectOptions()
                        .setHost(config.pgHost())
                        .setPort(config.pgPort())
                        .setDatabase(config.pgDatabase())
                        .setUser(config.pgUser()))
                .using(vertx)
                .build();
        this.redis = Redis.createClient(vertx, new RedisOptions()
                .setConnectionString("redis://" + config.redisHost() + ":" + config.redisPort())
                .setMaxPoolSize(1)
                .setNetClientOptions(new NetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS)));
        this.web = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS));
    }

    /** Adds kafka, postgres, redis and etcd to {@code registry}. */
    public void registerInto(HealthRegistry registry) {
        registry.register("kafka", () -> KafkaHealth.check(admin));
        registry.register("postgres", this::postgres);
        registry.register("redis", this::redis);
        registry.register("etcd", this::etcd);
    }

    private CompletionStage<Check> postgres() {
        String where = config.pgHost() + ":" + config.pgPort() + "/" + config.pgDatabase();
        return postgres.query("SELECT 1").execute()
                .map(rows -> Check.up("SELECT 1 answered by " + where))
                .toCompletionStage();
    }

    private CompletionStage<Check> redis() {
        String where = config.redisHost() + ":" + config.redisPort();
        return redis.send(Request.cmd(Command.PING))
                .map(reply -> "PONG".equals(String.valueOf(reply))
                        ? Check.up("PING answered by " + where)
                        : Check.down(where + " answered PING with " + reply))
                .toCompletionStage();
    }

    /** etcd answers {@code {"health":"true", ...}} on GET /health when it has a leader. */
    private CompletionStage<Check> etcd() {
        String where = config.etcdHost() + ":" + config.etcdPort();
        Future<Check> check = web.get(config.etcdPort(), config.etcdHost(), "/health")
                .timeout(CONNECT_TIMEOUT_MS)
                .send()
                .map(response -> response.statusCode() == 200
                        && "true".equals(response.bodyAsJsonObject().getString("health"))
                        ? Check.up("healthy at " + where)
                        : Check.down(where + " answered " + response.statusCode() + " " + response.bodyAsString()));
        return check.toCompletionStage();
    }

    @Override
    public void close() {
        web.close();
        redis.close();
        postgres.close();
        admin.close();
    }
}
