package dev.berth.api.webhook;

import dev.berth.api.auth.Access;
import dev.berth.api.auth.Principal;
import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.api.session.RequestValidation;
import dev.berth.identity.Keys;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * The handlers of {@code /v1/webhooks}: subscriptions to the lifecycle of a project's or a user's
 * sessions, and the deliveries that used up their attempts ({@code failures}), which their owner
 * may send again. The dispatcher (services/webhooks) does the sending.
 */
public final class WebhookRoutes {

    private static final String JSON = "application/json";

    private final WebhookStore store;
    private final UrlPolicy urls;

    public WebhookRoutes(Pool pool, UrlPolicy urls) {
        this.store = new WebhookStore(pool);
        this.urls = urls;
    }

    /** 201 with the subscription and its secret, which no later answer shows again. */
    public void create(RoutingContext ctx) {
        Principal caller = Principal.of(ctx);
        SubscriptionRequest request = SubscriptionRequest.parse(RequestValidation.jsonObject(ctx.body().buffer()), urls);
        String scopeId = request.target() == null ? caller.userId() : request.target();
        String secret = Keys.webhookSecret();
        target(caller, request.scope(), scopeId)
                .compose(target -> {
                    Access.requireMayWatch(caller, target.domain(), target.own());
                    return store.insert(UUID.randomUUID(), request, scopeId, target.domain(), caller, secret);
                })
                .onSuccess(row -> {
                    ctx.response().putHeader("Location", "/v1/webhooks/" + row.getUUID("id"));
                    json(ctx, 201, subscription(row).put("secret", secret));
                })
                .onFailure(ctx::fail);
    }

    public void list(RoutingContext ctx) {
        Principal caller = Principal.of(ctx);
        int limit = RequestValidation.limit(ctx.queryParams().get("limit"));
        int offset = RequestValidation.offset(ctx.queryParams().get("offset"));
        store.list(caller, limit, offset)
                .onSuccess(page -> json(ctx, 200, page(page, limit, offset, WebhookRoutes::subscription)))
                .onFailure(ctx::fail);
    }

    public void get(RoutingContext ctx) {
        UUID id = id(ctx);
        store.get(Principal.of(ctx), id)
                .map(found -> subscription(found.orElseThrow(() -> notFound(id))))
                .onSuccess(body -> json(ctx, 200, body))
                .onFailure(ctx::fail);
    }

    /** Deactivates: no new deliveries, and queued ones stay unsent; its failures remain visible. */
    public void delete(RoutingContext ctx) {
        UUID id = id(ctx);
        store.delete(Principal.of(ctx), id)
                .map(found -> subscription(found.orElseThrow(() -> notFound(id))))
                .onSuccess(body -> json(ctx, 200, body))
                .onFailure(ctx::fail);
    }

    /** Dead-lettered deliveries the caller may see, the most recent failure first. */
    public void failures(RoutingContext ctx) {
        Principal caller = Principal.of(ctx);
        int limit = RequestValidation.limit(ctx.queryParams().get("limit"));
        int offset = RequestValidation.offset(ctx.queryParams().get("offset"));
        store.failures(caller, limit, offset)
                .onSuccess(page -> json(ctx, 200, page(page, limit, offset, WebhookRoutes::failure)))
                .onFailure(ctx::fail);
    }

    /** 202: the delivery is queued again with all its attempts, behind nothing of its session that is still pending. */
    public void redeliver(RoutingContext ctx) {
        UUID id = uuid(ctx.pathParam("id"), "delivery");
        store.redeliver(Principal.of(ctx), id, state -> refusal(id, state).ifPresent(problem -> { throw problem; }))
                .onSuccess(done -> json(ctx, 202, new JsonObject().put("id", id.toString()).put("status", "pending")))
                .onFailure(ctx::fail);
    }

    /** Why a delivery cannot be sent again: unknown to the caller, not failed, or its subscription deleted. */
    static Optional<ProblemException> refusal(UUID id, Optional<WebhookStore.DeliveryState> state) {
        if (state.isEmpty()) return Optional.of(new ProblemException(ProblemKind.OBJECT_NOT_FOUND, "no webhook delivery with id " + id));
        if (!state.get().status().equals("failed")) {
            return Optional.of(new ProblemException(ProblemKind.GENERIC_FORBIDDEN,
                    "delivery " + id + " is " + state.get().status() + "; only a failed one is sent again"));
        }
        if (Boolean.FALSE.equals(state.get().subscriptionActive())) {
            return Optional.of(new ProblemException(ProblemKind.GENERIC_FORBIDDEN, "delivery " + id + " is for a deleted subscription"));
        }
        return Optional.empty();
    }

    private Future<WebhookStore.Target> target(Principal caller, SubscriptionRequest.Scope scope, String scopeId) {
        return switch (scope) {
            case PROJECT -> store.project(scopeId)
                    .map(found -> found.orElseThrow(() -> ProblemException.invalid("project names no project: " + scopeId)));
            case USER -> store.user(scopeId, caller)
                    .map(found -> found.orElseThrow(() -> ProblemException.invalid("userId names no user: " + scopeId)));
        };
    }

    private static JsonObject subscription(Row row) {
        SubscriptionRequest.Scope scope = SubscriptionRequest.Scope.of(row.getString("scope"));
        return new JsonObject()
                .put("id", row.getUUID("id").toString())
                .put("url", row.getString("url"))
                .put("scope", scope.stored())
                .put(scope == SubscriptionRequest.Scope.PROJECT ? "project" : "userId", row.getString("scope_id"))
                .put("events", new JsonArray(List.of(row.getArrayOfStrings("event_types"))))
                .put("domain", row.getString("domain_name"))
                .put("ownerAccessKey", row.getString("owner_access_key"))
                .put("active", row.getBoolean("active"))
                .put("createdAt", iso(row.getOffsetDateTime("created_at")));
    }

    private static JsonObject failure(Row row) {
        UUID subscription = row.getUUID("subscription_id");
        return new JsonObject()
                .put("id", row.getUUID("id").toString())
                .put("subscriptionId", subscription == null ? null : subscription.toString())
                .put("url", row.getString("url"))
                .put("sessionId", row.getUUID("session_id").toString())
                .put("event", row.getString("event"))
                .put("eventId", row.getUUID("event_id").toString())
                .put("version", row.getLong("version"))
                .put("attempts", row.getInteger("attempts"))
                .put("lastError", row.getString("last_error"))
                .put("createdAt", iso(row.getOffsetDateTime("created_at")))
                .put("failedAt", iso(row.getOffsetDateTime("updated_at")))
                .put("payload", row.getJsonObject("payload"));
    }

    private static JsonObject page(WebhookStore.Page page, int limit, int offset, Function<Row, JsonObject> item) {
        return new JsonObject()
                .put("items", new JsonArray(page.rows().stream().map(item).toList()))
                .put("total", page.total())
                .put("limit", limit)
                .put("offset", offset);
    }

    private static UUID id(RoutingContext ctx) {
        return uuid(ctx.pathParam("id"), "webhook");
    }

    private static UUID uuid(String raw, String what) {
        try {
            UUID id = UUID.fromString(raw);
            if (id.toString().equalsIgnoreCase(raw)) return id;
        } catch (IllegalArgumentException e) {
            // reported below, with the value
        }
        throw ProblemException.invalid("the " + what + " id must be a UUID, got \"" + raw + "\"");
    }

    private static ProblemException notFound(UUID id) {
        return new ProblemException(ProblemKind.OBJECT_NOT_FOUND, "no webhook subscription with id " + id);
    }

    private static String iso(OffsetDateTime time) {
        return time == null ? null : time.toInstant().toString();
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", JSON).end(body.encode());
    }
}
