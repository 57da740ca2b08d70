package dev.berth.api.compat;

import dev.berth.api.auth.Access;
import dev.berth.api.auth.Authenticator;
import dev.berth.api.auth.Principal;
import dev.berth.api.auth.RateLimiter;
import dev.berth.api.auth.SigningRules;
import dev.berth.api.events.EventRoutes;
import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemHandler;
import dev.berth.api.problem.ProblemKind;
import dev.berth.api.resource.KnownSlots;
import dev.berth.api.resource.ResourceRoutes;
import dev.berth.api.session.CreateRequest;
import dev.berth.api.session.DestroyOutcome;
import dev.berth.api.session.EventFanOut;
import dev.berth.api.session.RequestValidation;
import dev.berth.api.session.SessionOutputRoutes;
import dev.berth.api.session.SessionRoutes;
import dev.berth.api.session.SessionView;
import dev.berth.schema.Slots;
import dev.berth.schema.avro.KernelRole;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionStatus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The original Backend.AI manager's REST surface at the root paths, beside {@code /v1}: a thin
 * translation onto the same handlers' code paths. Parameters come in under the original's names
 * and aliases, answers and problems go out in its field names (docs/backendai-compat.md). Requests
 * are signed as the original's clients sign them ({@link SigningRules#ORIGINAL}), checked from the
 * headers before the body is read, and count against the same rate limit.
 */
public final class CompatRoutes {

    /** One route to mount, its handlers in order; the server keeps the router's table of contents. */
    public record Route(HttpMethod method, String path, List<Handler<RoutingContext>> handlers) {}

    private static final String JSON = "application/json";
    /** The problems of every route here name the fields the original's clients send. */
    private static final Map<String, String> FIELD_NAMES = Map.of("ownerAccessKey", "owner_access_key");
    private static final Set<SessionStatus> SETTLED = EnumSet.of(SessionStatus.RUNNING, SessionStatus.TERMINATED,
            SessionStatus.CANCELLED, SessionStatus.ERROR);

    private final SessionView view;
    private final SessionRoutes sessions;
    private final SessionOutputRoutes output;
    private final ResourceRoutes resources;
    private final EventRoutes events;
    private final GraphQLRoutes graphql;
    private final Authenticator authenticator;
    private final RateLimiter rateLimiter;
    private final BodyHandler bodies;

    /**
     * @param authenticator the API's, re-used with the original's signing rules
     * @param bodyLimit     the API's body limit in bytes
     */
    public CompatRoutes(SessionView view, SessionRoutes sessions, SessionOutputRoutes output, ResourceRoutes resources,
                        EventRoutes events, GraphQLRoutes graphql, Authenticator authenticator, RateLimiter rateLimiter, long bodyLimit) {
        this.view = view;
        this.sessions = sessions;
        this.output = output;
        this.resources = resources;
        this.events = events;
        this.graphql = graphql;
        this.authenticator = authenticator.signedBy(SigningRules.ORIGINAL);
        this.rateLimiter = rateLimiter;
        this.bodies = BodyHandler.create().setBodyLimit(bodyLimit);
    }

    /** Served routes first, then the not-implemented ones whose subtrees would cover them. */
    public List<Route> routes() {
        List<Route> routes = new ArrayList<>();
        routes.add(new Route(HttpMethod.GET, "/", List.of(CompatRoutes::dialect, ctx -> json(ctx, 200, Dialect.handshake()))));
        routes.add(new Route(HttpMethod.GET, "/config/resource-slots", List.of(CompatRoutes::dialect, this::resourceSlots)));
        signed(routes, HttpMethod.POST, "/session", this::create);
        signed(routes, HttpMethod.POST, "/session/_/create", this::create);
        signed(routes, HttpMethod.GET, "/session/_/match", this::match);
        signed(routes, HttpMethod.GET, "/session/:name", this::get);
        signed(routes, HttpMethod.DELETE, "/session/:name", this::destroy);
        signed(routes, HttpMethod.POST, "/session/:name/rename", this::rename);
        signed(routes, HttpMethod.GET, "/session/:name/logs", this::logs);
        signed(routes, HttpMethod.GET, "/session/:name/direct-access-info", this::directAccessInfo);
        signed(routes, HttpMethod.GET, "/events/session", this::events);
        signed(routes, HttpMethod.POST, "/admin/graphql", graphql::legacy);
        signed(routes, HttpMethod.POST, "/admin/gql", graphql::wrapped);
        signed(routes, HttpMethod.GET, "/resource/presets", this::presets);
        signed(routes, HttpMethod.POST, "/resource/check-presets", this::checkPresets);
        signed(routes, HttpMethod.GET, "/scaling-groups", this::scalingGroups);
        signed(routes, HttpMethod.GET, "/auth/role", this::role);
        for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.POST)) {
            signed(routes, method, "/auth", this::authTest);
            signed(routes, method, "/auth/test", this::authTest);
        }
        for (NotImplemented missing : NotImplemented.ROUTES) {
            for (HttpMethod method : missing.methods()) {
                routes.add(new Route(method, missing.path(), List.of(CompatRoutes::dialect,
                        ctx -> ctx.fail(missing.problem(ctx.request().method(), ctx.request().path())))));
            }
        }
        return routes;
    }

    private void signed(List<Route> routes, HttpMethod method, String path, Handler<RoutingContext> handler) {
        // the body is read only after the signature held (AUTH-05); as a plain handler, Vert.x lets it follow the others
        routes.add(new Route(method, path, List.of(CompatRoutes::dialect, authenticator, rateLimiter, bodies::handle, handler)));
    }

    /** Whatever fails from here on answers in the original's problem shape. */
    private static void dialect(RoutingContext ctx) {
        ProblemHandler.answerIn(ctx, OriginalProblems.shape(FIELD_NAMES));
        ctx.next();
    }

    // ---- sessions ----

    /** API-01/02/07: create from the original's parameters; 201 created, 200 for a reused live session. */
    private void create(RoutingContext ctx) {
        Principal caller = Principal.of(ctx);
        CreateParams params = CreateParams.of(params(ctx), Instant.now());
        ProblemHandler.answerIn(ctx, OriginalProblems.shape(params.fieldNames()));
        Context context = ctx.vertx().getOrCreateContext();
        Object ownerKey = params.body().getValue("ownerAccessKey");
        sessions.owner(caller, ownerKey instanceof String key ? key : null).compose(owner -> {
            if (params.domain() != null && !params.domain().equals(owner.domain())) {
                throw ProblemException.invalid("domain \"" + params.domain() + "\" is not the owner's domain \"" + owner.domain() + "\"");
            }
            Optional<Session> existing = params.name() == null ? Optional.empty() : ownedBy(owner).stream()
                    .filter(session -> SessionMatch.live(session) && session.getSpec().getName().equals(params.name())).findFirst();
            if (existing.isPresent()) return Future.succeededFuture(reused(existing.get(), params.reuseIfExists()));
            CreateRequest request = RequestValidation.createRequest(params.bodyWith(dependencyIds(params.dependencies(), owner)),
                    sessions.callbackUrls());
            return sessions.enqueue(context, caller, request)
                    .compose(created -> params.enqueueOnly() || params.maxWaitSeconds() == 0 ? Future.succeededFuture(created)
                            : awaitSettled(context, created, params.maxWaitSeconds()))
                    .map(created -> created.put("created", true));
        }).onFailure(ctx::fail).onSuccess(answer -> {
            if (answer.getBoolean("created")) ctx.response().putHeader("Location", "/session/" + answer.getString("sessionName"));
            json(ctx, answer.getBoolean("created") ? 201 : 200, answer);
        });
    }

    /** API-07 reuseIfExists: the live session of that name, or session-already-exists when reuse is off. */
    private static JsonObject reused(Session existing, boolean reuse) {
        if (!reuse) {
            throw new ProblemException(ProblemKind.SESSION_ALREADY_EXISTS, "name: a live session \"" + existing.getSpec().getName()
                    + "\" exists (" + existing.getSessionId() + ") and reuseIfExists is false", null,
                    new JsonObject().put("existingSessionId", existing.getSessionId()));
        }
        return new JsonObject()
                .put("sessionId", existing.getSessionId())
                .put("sessionName", existing.getSpec().getName())
                .put("status", existing.getStatus().name())
                .put("servicePorts", new JsonArray())
                .put("created", false);
    }

    /** API-01: dependencies by id or by name among the owner's sessions (API-23). */
    private List<String> dependencyIds(List<String> refs, Principal owner) {
        List<Session> candidates = ownedBy(owner);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < refs.size(); i++) {
            List<Session> found = SessionMatch.matches(refs.get(i), candidates);
            if (found.size() != 1) {
                throw ProblemException.invalid("dependencies[" + i + "] " + (found.isEmpty() ? "names no session of the owner"
                        : "matches " + found.size() + " sessions") + ": \"" + refs.get(i) + "\"");
            }
            ids.add(found.getFirst().getSessionId());
        }
        return ids;
    }

    /** API-07: holds the answer until the session runs or ends, or {@code seconds} passed; then says its status. */
    private Future<JsonObject> awaitSettled(Context context, JsonObject created, int seconds) {
        String sessionId = created.getString("sessionId");
        Promise<SessionStatus> settled = Promise.promise();
        EventFanOut.Subscriber waiter = record -> {
            if (!record.event().getSessionId().equals(sessionId) || !SETTLED.contains(record.event().getSession().getStatus())) return true;
            SessionStatus status = record.event().getSession().getStatus();
            context.runOnContext(v -> settled.tryComplete(status));
            return false;
        };
        view.events().subscribe(waiter, null);
        view.get(sessionId).map(Session::getStatus).filter(SETTLED::contains).ifPresent(settled::tryComplete);
        long timer = context.owner().setTimer(seconds * 1000L, id -> settled.tryComplete(null));
        return settled.future().map(status -> {
            context.owner().cancelTimer(timer);
            view.events().unsubscribe(waiter);
            SessionStatus reached = status != null ? status : view.get(sessionId).map(Session::getStatus).orElse(SessionStatus.PENDING);
            return created.put("status", reached.name());
        });
    }

    /** API-11 */
    private void get(RoutingContext ctx) {
        find(ctx).compose(session -> output.kernelStats(session).compose(stats -> output.idleChecks(session)
                        .map(checks -> OriginalSession.info(session, Instant.now(), OriginalSession.mainStat(session, stats), checks))))
                .onFailure(ctx::fail)
                .onSuccess(info -> json(ctx, 200, info));
    }

    /** API-12/13/14: {@code {"stats": ...}}, or with recursive=true the stats of every session destroyed. */
    private void destroy(RoutingContext ctx) {
        boolean forced = RequestValidation.forced(ctx.queryParams().get("forced"));
        boolean recursive = flag(ctx.queryParams().get("recursive"), "recursive");
        Context context = ctx.vertx().getOrCreateContext();
        find(ctx).compose(target -> {
            if (!recursive) return destroyOne(context, target, forced).map(stats -> new JsonObject().put("stats", stats));
            // API-13: the dependents too, dropping those already gone or not destroyable now
            List<Future<JsonObject>> each = dependents(target).stream()
                    .map(session -> destroyOne(context, session, forced).<JsonObject>recover(failed -> skipped(failed)))
                    .toList();
            return Future.join(each).map(done -> new JsonArray(each.stream().map(Future::result).filter(stats -> stats != null).toList()));
        }).onFailure(ctx::fail).onSuccess(answer -> {
            ctx.response().setStatusCode(200).putHeader("Content-Type", JSON).end(Json.encode(answer));
        });
    }

    private static Future<JsonObject> skipped(Throwable failed) {
        if (failed instanceof ProblemException problem && problem.kind() == ProblemKind.GENERIC_FORBIDDEN) return Future.succeededFuture(null);
        return Future.failedFuture(failed);
    }

    /** The session's last stat as the original answers a destroy: a cancelled pending one says so. */
    private Future<JsonObject> destroyOne(Context context, Session session, boolean forced) {
        return sessions.requestDestroy(context, session, forced).compose(outcome -> {
            if (outcome == DestroyOutcome.DESTROY && session.getStatus() == SessionStatus.PENDING) {
                return Future.succeededFuture(new JsonObject().put("status", "cancelled"));
            }
            return output.kernelStats(session).map(stats -> {
                JsonObject main = OriginalSession.mainStat(session, stats);
                return main == null ? new JsonObject() : main;
            });
        });
    }

    /** {@code target} and every live session that depends on it, directly or through others, dependents first. */
    private List<Session> dependents(Session target) {
        List<Session> all = view.list(EnumSet.allOf(SessionStatus.class), SessionMatch::live, Integer.MAX_VALUE).items();
        Set<String> seen = new LinkedHashSet<>(List.of(target.getSessionId()));
        ArrayDeque<String> todo = new ArrayDeque<>(seen);
        List<Session> found = new ArrayList<>();
        while (!todo.isEmpty()) {
            String id = todo.poll();
            for (Session session : all) {
                if (session.getSpec().getDependencies().contains(id) && seen.add(session.getSessionId())) {
                    found.add(session);
                    todo.add(session.getSessionId());
                }
            }
        }
        found.add(target);
        return found;
    }

    /** API-21: the new name in {@code name}, from the query (as the original's clients send it) or the body; 204. */
    private void rename(RoutingContext ctx) {
        String newName = RequestValidation.newName(new JsonObject().put("name", params(ctx).getValue("name")));
        Context context = ctx.vertx().getOrCreateContext();
        find(ctx).compose(session -> sessions.requestRename(context, session, newName))
                .onFailure(ctx::fail)
                .onSuccess(done -> ctx.response().setStatusCode(204).end());
    }

    /** API-19: {@code {"result": {"logs": text}}}. */
    private void logs(RoutingContext ctx) {
        Principal caller = Principal.of(ctx);
        find(ctx).compose(session -> output.readLogs(session, caller.accessKey()))
                .onFailure(ctx::fail)
                .onSuccess(text -> json(ctx, 200, new JsonObject().put("result", new JsonObject().put("logs", text))));
    }

    /** API-20: empty for sessions of COMPUTE and INFERENCE images; SYSTEM sessions' SFTP ports Berth does not publish. */
    private void directAccessInfo(RoutingContext ctx) {
        find(ctx).onFailure(ctx::fail).onSuccess(session -> {
            if (session.getSpec().getRole() == KernelRole.SYSTEM) {
                ctx.fail(new ProblemException(ProblemKind.NOT_IMPLEMENTED_API, "direct access (sshd/sftpd ports) to SYSTEM sessions"));
            } else {
                json(ctx, 200, new JsonObject());
            }
        });
    }

    /** API-23 as the original's {@code /session/_/match?id=}: {@code {"matches": [{id, name, status}]}}. */
    private void match(RoutingContext ctx) {
        String id = ctx.queryParams().get("id");
        if (id == null || id.isBlank()) throw ProblemException.invalid("id is required: a session name or id prefix");
        sessions.owner(Principal.of(ctx), ctx.queryParams().get("owner_access_key"))
                .map(owner -> SessionMatch.listed(SessionMatch.matches(id.trim(), ownedBy(owner))))
                .onFailure(ctx::fail)
                .onSuccess(matches -> json(ctx, 200, new JsonObject().put("matches", matches)));
    }

    /** The session a path's name or id prefix means among the sessions of the caller or its {@code owner_access_key} (API-10/23). */
    private Future<Session> find(RoutingContext ctx) {
        String nameOrId = ctx.pathParam("name");
        return sessions.owner(Principal.of(ctx), ctx.queryParams().get("owner_access_key"))
                .map(owner -> SessionMatch.one(nameOrId, ownedBy(owner)));
    }

    private List<Session> ownedBy(Principal owner) {
        return view.list(EnumSet.allOf(SessionStatus.class),
                session -> session.getAccessKey().equals(owner.accessKey()) && Access.canActOn(owner, session), Integer.MAX_VALUE).items();
    }

    // ---- events ----

    /** API-25: the original's {@code GET /events/session} on Berth's event stream. */
    private void events(RoutingContext ctx) {
        Principal caller = Principal.of(ctx);
        EventParams query = EventParams.of(ctx.queryParams()::get, caller);
        events.stream(ctx, session -> query.test(session) && Access.canActOn(caller, session),
                (id, record) -> OriginalEvents.render(id, record, query.scope()));
    }

    // ---- resources, auth, config ----

    /** RES-03 in the original's names: slots as strings, shared memory as a string or null. */
    private void presets(RoutingContext ctx) {
        resources.presets().onFailure(ctx::fail).onSuccess(body -> json(ctx, 200, new JsonObject().put("presets", presets(body))));
    }

    private static JsonArray presets(JsonObject body) {
        JsonArray out = new JsonArray();
        for (Object item : body.getJsonArray("presets")) {
            JsonObject preset = (JsonObject) item;
            Object shared = preset.getValue("sharedMemory");
            JsonObject translated = new JsonObject()
                    .put("name", preset.getString("name"))
                    .put("resource_slots", strings(preset.getJsonObject("resourceSlots")))
                    .put("shared_memory", shared == null ? null : shared.toString());
            if (preset.containsKey("allocatable")) translated.put("allocatable", preset.getBoolean("allocatable"));
            out.add(translated);
        }
        return out;
    }

    /** RES-04 with the original's {@code scaling_group} parameter and field names. */
    private void checkPresets(RoutingContext ctx) {
        JsonObject params = params(ctx);
        Object group = params.getValue("scaling_group");
        if (group != null && (!(group instanceof String name) || name.isBlank())) throw ProblemException.invalid("scaling_group must be a non-blank string");
        resources.checkPresets(Principal.of(ctx), (String) group).onFailure(ctx::fail).onSuccess(body -> {
            JsonObject perGroup = new JsonObject();
            JsonObject groupRemaining = new JsonObject();
            body.getJsonObject("scalingGroups").forEach(entry -> {
                JsonObject numbers = (JsonObject) entry.getValue();
                perGroup.put(entry.getKey(), new JsonObject()
                        .put("using", strings(numbers.getJsonObject("using")))
                        .put("remaining", strings(numbers.getJsonObject("remaining"))));
                if (groupRemaining.isEmpty()) groupRemaining.mergeIn(strings(numbers.getJsonObject("remaining")));
            });
            json(ctx, 200, new JsonObject()
                    .put("keypair_limits", strings(body.getJsonObject("keypairLimits")))
                    .put("keypair_using", strings(body.getJsonObject("keypairUsing")))
                    .put("keypair_remaining", strings(body.getJsonObject("keypairRemaining")))
                    .put("scaling_group_remaining", groupRemaining)
                    .put("scaling_groups", perGroup)
                    .put("presets", presets(body)));
        });
    }

    /** RES-08: {@code {"scaling_groups": [{"name"}]}}. */
    private void scalingGroups(RoutingContext ctx) {
        resources.scalingGroups(Principal.of(ctx)).onFailure(ctx::fail)
                .onSuccess(body -> json(ctx, 200, new JsonObject().put("scaling_groups", body.getJsonArray("scalingGroups"))));
    }

    /** The original's {@code GET /auth/role}. */
    private void role(RoutingContext ctx) {
        Principal caller = Principal.of(ctx);
        json(ctx, 200, new JsonObject()
                .put("global_role", caller.role() == dev.berth.api.auth.Role.SUPERADMIN ? "superadmin" : "user")
                .put("domain_role", caller.role().isAdmin() ? "admin" : "user")
                .put("group_role", null));
    }

    /** The original's signature check: {@code {"authorized": "yes", "echo": ...}}. */
    private void authTest(RoutingContext ctx) {
        json(ctx, 200, new JsonObject().put("authorized", "yes").put("echo", params(ctx).getValue("echo")));
    }

    /** Public in the original: the slot types clients may ask for, "bytes" or "count". */
    private void resourceSlots(RoutingContext ctx) {
        JsonObject slots = new JsonObject();
        new TreeSet<>(KnownSlots.names()).forEach(slot -> slots.put(slot, Slots.isBytes(slot) ? "bytes" : "count"));
        json(ctx, 200, slots);
    }

    // ---- helpers ----

    /** The original reads the query, overlaid by a JSON object body when there is one. */
    static JsonObject params(RoutingContext ctx) {
        JsonObject params = new JsonObject();
        ctx.queryParams().names().forEach(name -> params.put(name, ctx.queryParams().get(name)));
        Buffer raw = ctx.body() == null ? null : ctx.body().buffer();
        if (raw == null || raw.length() == 0) return params;
        Object body;
        try {
            body = Json.decodeValue(raw);
        } catch (DecodeException e) {
            throw ProblemException.invalid("the body is not valid JSON: " + e.getMessage());
        }
        if (!(body instanceof JsonObject object)) throw ProblemException.invalid("the body must be a JSON object");
        return params.mergeIn(object);
    }

    private static boolean flag(String raw, String name) {
        if (raw == null || raw.isBlank()) return false;
        return switch (raw.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw ProblemException.invalid(name + " must be true or false, got \"" + raw + "\"");
        };
    }

    /** Slot amounts as the original's ResourceSlot JSON: decimal strings ("Infinity" stays). */
    private static JsonObject strings(JsonObject slots) {
        JsonObject out = new JsonObject();
        if (slots != null) slots.forEach(entry -> out.put(entry.getKey(), String.valueOf(entry.getValue())));
        return out;
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", JSON).end(body.encode());
    }
}
