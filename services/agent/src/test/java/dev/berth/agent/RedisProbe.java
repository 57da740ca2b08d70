package dev.berth.agent;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Reads what agents wrote to the test Redis (BERTH_REDIS_PORT, default 16379, started by infra/servers.sh). */
final class RedisProbe implements AutoCloseable {

    static final String HOST = "127.0.0.1";
    static final int PORT = Integer.parseInt(System.getenv().getOrDefault("BERTH_REDIS_PORT", "16379"));
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Vertx vertx = Vertx.vertx();
    private final RedisAPI api = RedisAPI.api(Redis.createClient(vertx, "redis://" + HOST + ":" + PORT));

    String get(String key) throws Exception {
        Response value = api.get(key).toCompletionStage().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return value == null ? null : value.toString();
    }

    String hget(String key, String field) throws Exception {
        Response value = api.hget(key, field).toCompletionStage().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return value == null ? null : value.toString();
    }

    long ttl(String key) throws Exception {
        return api.ttl(key).toCompletionStage().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).toLong();
    }

    void delete(String key) throws Exception {
        api.del(List.of(key)).toCompletionStage().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
