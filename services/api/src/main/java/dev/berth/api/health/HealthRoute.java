package dev.berth.api.health;

import dev.berth.common.Check;
import dev.berth.common.HealthRegistry;
import dev.berth.common.Json;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /v1/health}: every check of the registries given (the process's shared one and the
 * API's own), 200 when all are up, else 503. The checks run concurrently, each with its deadline.
 */
public final class HealthRoute {

    private final List<HealthRegistry> registries;

    public HealthRoute(List<HealthRegistry> registries) {
        this.registries = List.copyOf(registries);
    }

    public void handle(RoutingContext ctx) {
        List<CompletableFuture<Map<String, Check>>> running = registries.stream().map(HealthRegistry::runAll).toList();
        CompletableFuture<Map<String, Check>> all = CompletableFuture.allOf(running.toArray(CompletableFuture[]::new))
                .thenApply(done -> {
                    Map<String, Check> checks = new TreeMap<>();
                    running.forEach(registry -> checks.putAll(registry.join()));
                    return checks;
                });
        Future.fromCompletionStage(all, ctx.vertx().getOrCreateContext())
                .onSuccess(checks -> ctx.response()
                        .setStatusCode(checks.values().stream().allMatch(Check::up) ? 200 : 503)
                        .putHeader("Content-Type", "application/json")
                        .end(Json.health(checks)))
                .onFailure(ctx::fail);
    }
}
