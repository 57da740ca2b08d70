package dev.berth.api.session;

import dev.berth.api.auth.Access;
import dev.berth.api.auth.KeypairStore;
import dev.berth.api.auth.Principal;
import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.api.resource.AgentView;
import dev.berth.api.webhook.UrlPolicy;
import dev.berth.schema.avro.CreateSession;
import dev.berth.schema.avro.DestroySession;
import dev.berth.schema.avro.RenameSession;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionRequest;
import dev.berth.schema.avro.SessionSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The handlers of {@code /v1/sessions}: reads come from the {@link SessionView}, writes become
 * {@link SessionRequest}s on {@code session.requests} and are answered once Kafka acknowledged them.
 */
public final class SessionRoutes {

    private static final String JSON = "application/json";

    private final SessionView view;
    private final RequestPublisher publisher;
    private final KeypairStore keypairs;
    private final CreateContextStore context;
    private final AgentView agents;
    private final Counter created;
    private final UrlPolicy callbackUrls;

    public SessionRoutes(SessionView view, RequestPublisher publisher, KeypairStore keypairs, CreateContextStore context,
                         AgentView agents, MeterRegistry metrics, UrlPolicy callbackUrls) {
        this.view = view;
        this.publisher = publisher;
        this.keypairs = keypairs;
        this.context = context;
        this.agents = agents;
        this.callbackUrls = callbackUrls;
        // berth_api_sessions_accepted_total: OpenMetrics reserves a "_created" suffix, so "sessions.created" would lose it
        this.created = Counter.builder("berth.api.sessions.accepted")
                .description("Session creates accepted by POST /v1/sessions (acknowledged by Kafka)")
                .register(metrics);
    }

    /** API-07: enqueue a new session; 201 once the request is on session.requests. */
    public void create(RoutingContext ctx) {
        CreateRequest request = RequestValidation.createRequest(RequestValidation.jsonObject(ctx.body().buffer()), callbackUrls);
        enqueue(ctx.vertx().getOrCreateContext(), Principal.of(ctx), request)
                .onFailure(ctx::fail)
                .onSuccess(created -> {
                    ctx.response().putHeader("Location", "/v1/sessions/" + created.getString("sessionId"));
                    json(ctx, 201, created);
                });
    }

    /**
     * API-07 for every front: resolves the owner and the plan of {@code request}, writes the
     * create and, once Kafka acknowledged it, holds {@code {sessionId, sessionName, status, servicePorts}}
     * (made on {@code context}); a refused request fails with its problem.
     */
    public Future<JsonObject> enqueue(Context context, Principal caller, CreateRequest request) {
        String sessionId = UUID.randomUUID().toString();
        return owner(caller, request.ownerAccessKey())
                .compose(owner -> plan(owner, request).map(spec -> {
                    requireVisibleDependencies(owner, spec.getDependencies());
                    return spec;
                }))
                .compose(spec -> {
                    Instant now = Instant.now();
                    String accessKey = request.ownerAccessKey() == null ? caller.accessKey() : request.ownerAccessKey();
                    return afterAck(context, request(sessionId, accessKey, now, new CreateSession(spec)), () -> {
                        // a GET right after this answer must find the session, before the lifecycle's first event
                        view.putProvisional(sessionId, accessKey, spec, now);
                        created.increment();
                        return new JsonObject()
                                .put("sessionId", sessionId)
                                .put("sessionName", spec.getName())
                                .put("status", "PENDING")
                                .put("servicePorts", new JsonArray());
                    });
                });
    }

    /** The callback URL policy creates are checked with, for fronts that validate bodies of their own. */
    public UrlPolicy callbackUrls() {
        return callbackUrls;
    }

    /** API-10: the caller, or the keypair an admin acts for. */
    public Future<Principal> owner(Principal caller, String ownerAccessKey) {
        if (ownerAccessKey == null || ownerAccessKey.equals(caller.accessKey())) return Future.succeededFuture(caller);
        return keypairs.find(ownerAccessKey).map(found -> {
            Principal owner = found.orElseThrow(() -> ProblemException.invalid("ownerAccessKey names no keypair: " + ownerAccessKey)).principal();
            Access.requireMayActFor(caller, owner);
            return owner;
        });
    }

    private Future<SessionSpec> plan(Principal owner, CreateRequest request) {
        return context.owner(owner.accessKey()).compose(ownerRow -> context.groups(ownerRow)
                .compose(groups -> context.preset(request.preset())
                        .compose(preset -> context.image(request.spec().getImage())
                                .map(image -> {
                                    SessionSpec spec = CreatePlan.decide(request, ownerRow, project -> groups.getOrDefault(project, List.of()), preset, image);
                                    GroupCapacity.requireCouldHold(spec, agents.live());
                                    return spec;
                                }))));
    }

    /** SES-25: a dependency must be a session the owner may see. */
    private void requireVisibleDependencies(Principal owner, List<String> dependencies) {
        for (int i = 0; i < dependencies.size(); i++) {
            String id = dependencies.get(i);
            boolean visible = view.get(id).filter(session -> Access.canActOn(owner, session)).isPresent();
            if (!visible) throw ProblemException.invalid("dependencies[" + i + "] names no session of this owner: " + id);
        }
    }

    public void get(RoutingContext ctx) {
        json(ctx, 200, SessionJson.of(find(ctx)));
    }

    /** Newest first, optionally only some statuses, at most {@code limit} items. */
    public void list(RoutingContext ctx) {
        var statuses = RequestValidation.statusFilter(ctx.queryParams().get("status"));
        int limit = RequestValidation.limit(ctx.queryParams().get("limit"));
        Principal caller = Principal.of(ctx);
        SessionView.Page page = view.list(statuses, session -> Access.canActOn(caller, session), limit);
        json(ctx, 200, new JsonObject()
                .put("items", new JsonArray(page.items().stream().map(SessionJson::of).toList()))
                .put("total", page.total()));
    }

    /** API-12/14: destroy, unless the session's status forbids it. */
    public void destroy(RoutingContext ctx) {
        boolean forced = RequestValidation.forced(ctx.queryParams().get("forced"));
        Session session = find(ctx);
        requestDestroy(ctx.vertx().getOrCreateContext(), session, forced)
                .onFailure(ctx::fail)
                .onSuccess(outcome -> {
                    if (outcome == DestroyOutcome.ALREADY_DEAD) json(ctx, 200, SessionJson.of(session));
                    else json(ctx, 202, accepted(session.getSessionId()));
                });
    }

    /**
     * API-12/14 for every front: ALREADY_DEAD at once for a dead session, DESTROY once Kafka
     * acknowledged the request; a status that forbids it fails with generic-forbidden.
     */
    public Future<DestroyOutcome> requestDestroy(Context context, Session session, boolean forced) {
        return switch (DestroyOutcome.of(session.getStatus(), forced)) {
            case ALREADY_DEAD -> Future.succeededFuture(DestroyOutcome.ALREADY_DEAD);
            case FORBIDDEN -> Future.failedFuture(new ProblemException(ProblemKind.GENERIC_FORBIDDEN, "session " + session.getSessionId()
                    + " is " + session.getStatus() + " and cannot be destroyed" + (forced ? "" : " without forced=true")));
            case DESTROY -> afterAck(context, request(session.getSessionId(), session.getAccessKey(), Instant.now(),
                    new DestroySession(forced, "user-requested")), () -> DestroyOutcome.DESTROY);
        };
    }

    /** API-21: ask the lifecycle to rename the session. */
    public void rename(RoutingContext ctx) {
        Session session = find(ctx);
        String newName = RequestValidation.newName(RequestValidation.jsonObject(ctx.body().buffer()));
        requestRename(ctx.vertx().getOrCreateContext(), session, newName)
                .onFailure(ctx::fail)
                .onSuccess(done -> json(ctx, 202, accepted(session.getSessionId()).put("sessionName", newName)));
    }

    /** API-21 for every front: done once Kafka acknowledged the rename. */
    public Future<Void> requestRename(Context context, Session session, String newName) {
        return afterAck(context, request(session.getSessionId(), session.getAccessKey(), Instant.now(), new RenameSession(newName)),
                () -> null);
    }

    /** A session the caller may see; another owner's is as unknown as a missing one (AUTH-06). */
    private Session find(RoutingContext ctx) {
        String sessionId = RequestValidation.sessionId(ctx.pathParam("id"));
        Principal caller = Principal.of(ctx);
        return view.get(sessionId).filter(session -> Access.canActOn(caller, session)).orElseThrow(() ->
                new ProblemException(ProblemKind.SESSION_NOT_FOUND, "no session with id " + sessionId));
    }

    /** The status the view holds now; the change itself shows up later in GET. */
    private JsonObject accepted(String sessionId) {
        return new JsonObject()
                .put("sessionId", sessionId)
                .put("status", view.get(sessionId).map(session -> session.getStatus().name()).orElse(null));
    }

    /** Writes the request; once Kafka acknowledged, holds what {@code then} makes on {@code context}. */
    private <T> Future<T> afterAck(Context context, SessionRequest request, Supplier<T> then) {
        return Future.fromCompletionStage(publisher.publish(request), context).map(acked -> then.get());
    }

    private static SessionRequest request(String sessionId, String accessKey, Instant at, Object op) {
        return SessionRequest.newBuilder()
                .setRequestId(UUID.randomUUID().toString())
                .setSessionId(sessionId)
                .setAt(at)
                .setAccessKey(accessKey)
                .setOp(op)
                .build();
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", JSON).end(body.encode());
    }
}
