package dev.berth.api.admin;

import dev.berth.api.auth.Access;
import dev.berth.api.auth.Principal;
import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.api.session.RequestValidation;
import dev.berth.cluster.Applies;
import dev.berth.cluster.ConfigSnapshot;
import dev.berth.cluster.EtcdConfig;
import dev.berth.cluster.EtcdConfig.WriteResult;
import dev.berth.cluster.Problem;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code /v1/admin/config}, superadmins only: the shared configuration in etcd. GET shows every key
 * with its value in effect, default, source (etcd, seed or default), whether it applies live, and
 * the revision (also as ETag). PATCH takes a JSON object of key to value (null removes the key, back
 * to its default); PUT takes the whole configuration, removing what it does not name. Both validate
 * everything first (an unknown key or a bad value is 400 naming it, nothing written) and write in one
 * etcd transaction; with If-Match, a configuration no longer at that revision is 409.
 */
public final class ConfigRoutes {

    private static final String JSON = "application/json";

    private final EtcdConfig config;

    public ConfigRoutes(EtcdConfig config) {
        this.config = config;
    }

    public List<AdminRoutes.Route> routes() {
        return List.of(
                new AdminRoutes.Route(HttpMethod.GET, "/v1/admin/config", this::get),
                new AdminRoutes.Route(HttpMethod.PATCH, "/v1/admin/config", ctx -> write(ctx, false)),
                new AdminRoutes.Route(HttpMethod.PUT, "/v1/admin/config", ctx -> write(ctx, true)));
    }

    private void get(RoutingContext ctx) {
        Access.requireSuperadmin(Principal.of(ctx));
        ConfigSnapshot snapshot = config.snapshot();
        String only = ctx.queryParams().get("key");
        JsonObject body = json(snapshot, config.atStart());
        if (only != null) {
            JsonArray keys = new JsonArray(body.getJsonArray("keys").stream()
                    .filter(entry -> ((JsonObject) entry).getString("key").equals(only)).toList());
            if (keys.isEmpty()) throw new ProblemException(ProblemKind.OBJECT_NOT_FOUND, "no configuration key " + only + " (see GET /v1/admin/config)");
            body.put("keys", keys);
        }
        ctx.response().setStatusCode(200).putHeader("Content-Type", JSON).putHeader("ETag", etag(snapshot.revision())).end(body.encode());
    }

    private void write(RoutingContext ctx, boolean replace) {
        Access.requireSuperadmin(Principal.of(ctx));
        OptionalLong expected = ifMatch(ctx.request().getHeader("If-Match"));
        Map<String, Optional<String>> changes = changes(RequestValidation.jsonObject(ctx.body().buffer()));
        if (replace) {
            for (String name : config.snapshot().stored().keySet()) {
                if (!name.startsWith("_")) changes.putIfAbsent(name, Optional.empty());
            }
        }
        if (changes.isEmpty()) throw ProblemException.invalid("the body changes nothing; give a JSON object of key to value");
        ctx.vertx().executeBlocking(() -> config.write(changes, expected))
                .onSuccess(result -> {
                    switch (result) {
                        case WriteResult.Written written -> ctx.response().setStatusCode(200).putHeader("Content-Type", JSON)
                                .putHeader("ETag", etag(written.snapshot().revision()))
                                .end(json(written.snapshot(), config.atStart()).encode());
                        case WriteResult.Rejected rejected -> ctx.fail(ProblemException.invalid(
                                rejected.problems().stream().map(Problem::toString).collect(Collectors.joining("; "))));
                        case WriteResult.Conflict conflict -> ctx.fail(new ProblemException(ProblemKind.CONFLICT,
                                "the configuration is at revision " + conflict.current() + (conflict.expected() >= 0
                                        ? ", not " + conflict.expected() + " as If-Match says; read it again" : " and kept changing while written; try again")));
                    }
                })
                .onFailure(e -> ctx.fail(new ProblemException(ProblemKind.SERVICE_UNAVAILABLE, "etcd did not take the configuration: " + e.getMessage(), e)));
    }

    /** Key to value: text, numbers and booleans as their text; null removes. */
    private static Map<String, Optional<String>> changes(JsonObject body) {
        Map<String, Optional<String>> changes = new TreeMap<>();
        Errors errors = new Errors();
        for (String key : body.fieldNames()) {
            Object value = body.getValue(key);
            if (value == null) changes.put(key, Optional.empty());
            else if (value instanceof String || value instanceof Number || value instanceof Boolean) changes.put(key, Optional.of(value.toString()));
            else errors.add(key, "must be a string, number, boolean or null");
        }
        errors.throwIfAny();
        return changes;
    }

    private static OptionalLong ifMatch(String header) {
        if (header == null || header.isBlank()) return OptionalLong.empty();
        String text = header.trim().replace("W/", "").replace("\"", "");
        try {
            return OptionalLong.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            throw ProblemException.invalid("If-Match must be the configuration's revision as GET's ETag gives it, got " + header);
        }
    }

    private static String etag(long revision) {
        return "\"" + revision + "\"";
    }

    private static JsonObject json(ConfigSnapshot snapshot, ConfigSnapshot atStart) {
        JsonArray keys = new JsonArray();
        for (ConfigSnapshot.Entry entry : snapshot.entries()) {
            JsonObject key = new JsonObject()
                    .put("key", entry.name())
                    .put("value", entry.value())
                    .put("default", entry.key().formatDefault())
                    .put("source", entry.source().wire())
                    .put("applies", entry.key().applies().wire())
                    .put("type", entry.key().type().describe())
                    .put("doc", entry.key().doc());
            entry.key().env().ifPresent(env -> key.put("seededFrom", env));
            if (entry.stored() != null && !Objects.equals(entry.stored(), entry.value())) key.put("stored", entry.stored());
            entry.problem().ifPresent(problem -> key.put("rejected", problem.message()));
            if (entry.key().applies() == Applies.RESTART) {
                String started = atStart.values().has(entry.name()) || !entry.key().isFamily() ? atStart.values().text(entry.name()) : null;
                // the services took this one at their start: a change waits for their next
                if (!Objects.equals(started, entry.value())) key.put("pendingRestart", true);
            }
            keys.add(key);
        }
        JsonArray problems = new JsonArray();
        snapshot.problems().forEach(problem -> problems.add(new JsonObject().put("key", problem.key()).put("problem", problem.message())));
        return new JsonObject().put("revision", snapshot.revision()).put("keys", keys).put("problems", problems);
    }
}
