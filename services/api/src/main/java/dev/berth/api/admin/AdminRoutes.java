package dev.berth.api.admin;

import dev.berth.api.auth.Access;
import dev.berth.api.auth.Principal;
import dev.berth.api.auth.Role;
import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.api.session.RequestValidation;
import dev.berth.identity.ConfigChange;
import dev.berth.identity.Keys;
import dev.berth.identity.Outbox;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * {@code /v1/admin/<entity>}: create, read, list (paginated, filtered), update and deactivate for
 * every identity and policy entity (ADM-03/07). One transaction per call; a change the scheduler
 * must know goes to the outbox in that same transaction, then the relay is nudged.
 */
public final class AdminRoutes {

    /** One route to mount: the server keeps the router's table of contents. */
    public record Route(HttpMethod method, String path, Handler<RoutingContext> handler) {}

    /** A table of scaling groups allowed for another entity (RES-08): its column for that entity's key. */
    private record Association(String table, String column, Entity target) {}

    private static final String JSON = "application/json";
    private static final String SHOWN = "*, to_json(created_at) #>> '{}' AS created_at_text, to_json(modified_at) #>> '{}' AS modified_at_text";
    private static final Set<String> PAGING = Set.of("limit", "offset");
    private static final Map<String, Association> ASSOCIATIONS = Map.of(
            "domains", new Association("scaling_groups_for_domains", "domain_name", Entities.DOMAINS),
            "projects", new Association("scaling_groups_for_projects", "project_name", Entities.PROJECTS),
            "keypairs", new Association("scaling_groups_for_keypairs", "access_key", Entities.KEYPAIRS));

    private final Pool pool;
    private final Runnable outboxWritten;
    /** api.rate-limit.default of the shared configuration: the rate_limit of a keypair created without one. */
    private final IntSupplier defaultRateLimit;

    public AdminRoutes(Pool pool, Runnable outboxWritten, IntSupplier defaultRateLimit) {
        this.pool = pool;
        this.outboxWritten = outboxWritten;
        this.defaultRateLimit = defaultRateLimit;
    }

    public List<Route> routes() {
        List<Route> routes = new ArrayList<>();
        for (Entity entity : Entities.ALL) {
            String base = "/v1/admin/" + entity.path();
            routes.add(new Route(HttpMethod.GET, base, ctx -> list(ctx, entity)));
            routes.add(new Route(HttpMethod.POST, base, ctx -> create(ctx, entity)));
            routes.add(new Route(HttpMethod.GET, base + "/:key", ctx -> get(ctx, entity)));
            routes.add(new Route(HttpMethod.PATCH, base + "/:key", ctx -> update(ctx, entity)));
            routes.add(new Route(HttpMethod.DELETE, base + "/:key", ctx -> deactivate(ctx, entity)));
        }
        routes.add(new Route(HttpMethod.GET, "/v1/admin/scaling-groups/:key/associations", this::associations));
        routes.add(new Route(HttpMethod.PUT, "/v1/admin/scaling-groups/:key/:kind/:target", ctx -> associate(ctx, true)));
        routes.add(new Route(HttpMethod.DELETE, "/v1/admin/scaling-groups/:key/:kind/:target", ctx -> associate(ctx, false)));
        routes.add(new Route(HttpMethod.PUT, "/v1/admin/projects/:key/members/:user", ctx -> member(ctx, true)));
        routes.add(new Route(HttpMethod.DELETE, "/v1/admin/projects/:key/members/:user", ctx -> member(ctx, false)));
        return routes;
    }

    // ---- handlers ----

    private void list(RoutingContext ctx, Entity entity) {
        Principal caller = admin(ctx);
        int limit = RequestValidation.limit(ctx.queryParams().get("limit"));
        int offset = RequestValidation.offset(ctx.queryParams().get("offset"));
        Where where = new Where();
        Errors errors = new Errors();
        for (String name : new TreeSet<>(ctx.queryParams().names())) {
            if (PAGING.contains(name)) continue;
            Field field = entity.field(name);
            if (field == null || !field.filterable()) {
                errors.add(name, "is not a filter of " + entity.path() + "; filters: " + entity.fields().stream()
                        .filter(Field::filterable).map(Field::api).collect(Collectors.joining(", ")));
                continue;
            }
            where.add(field.column() + " = ", field.type().fromQuery(name, ctx.queryParams().get(name), errors));
        }
        errors.throwIfAny();
        scope(where, entity, caller);
        String sql = "SELECT " + SHOWN + " FROM " + entity.table() + where.sql() + " ORDER BY " + entity.keyField().column()
                + " LIMIT " + limit + " OFFSET " + offset;
        String count = "SELECT count(*) FROM " + entity.table() + where.sql();
        pool.preparedQuery(sql).execute(where.args())
                .compose(rows -> pool.preparedQuery(count).execute(where.args()).map(total -> new JsonObject()
                        .put("items", new JsonArray(stream(rows).map(row -> json(entity, row)).toList()))
                        .put("total", total.iterator().next().getLong(0))
                        .put("limit", limit)
                        .put("offset", offset)))
                .onSuccess(body -> json(ctx, 200, body))
                .onFailure(ctx::fail);
    }

    private void get(RoutingContext ctx, Entity entity) {
        Principal caller = admin(ctx);
        Object key = key(ctx, entity);
        Where where = new Where().add(entity.keyField().column() + " = ", key);
        scope(where, entity, caller);
        pool.preparedQuery("SELECT " + SHOWN + " FROM " + entity.table() + where.sql()).execute(where.args())
                .map(rows -> json(entity, single(rows, entity, key)))
                .onSuccess(body -> json(ctx, 200, body))
                .onFailure(ctx::fail);
    }

    private void create(RoutingContext ctx, Entity entity) {
        Principal caller = writer(ctx, entity);
        JsonObject body = RequestValidation.jsonObject(ctx.body().buffer());
        Map<String, Object> values = values(entity, body, true);
        if (entity == Entities.KEYPAIRS) values.putIfAbsent("rate_limit", defaultRateLimit.getAsInt());
        Map<String, Object> generated = entity.generated().get();
        values.putAll(generated);
        String columns = String.join(", ", values.keySet());
        String placeholders = placeholders(values.size(), 1);
        String sql = "INSERT INTO " + entity.table() + " (" + columns + ") VALUES (" + placeholders + ") RETURNING " + SHOWN;
        write(ctx, entity, 201, conn -> conn.preparedQuery(sql).execute(Tuple.from(new ArrayList<>(values.values())))
                .map(rows -> rows.iterator().next())
                .compose(row -> guardAfter(conn, entity, caller, row).map(row))
                .compose(row -> afterCreate(conn, entity, row).map(extra -> {
                    JsonObject answer = json(entity, row).mergeIn(extra);
                    if (generated.containsKey("secret_key")) answer.put("secretKey", generated.get("secret_key"));
                    return new Written(row, answer);
                })));
    }

    private void update(RoutingContext ctx, Entity entity) {
        Principal caller = writer(ctx, entity);
        Object key = key(ctx, entity);
        Map<String, Object> values = values(entity, RequestValidation.jsonObject(ctx.body().buffer()), false);
        if (values.isEmpty()) throw ProblemException.invalid("the body changes nothing; updatable fields: " + updatable(entity));
        List<Object> args = new ArrayList<>(values.values());
        args.add(key);
        List<String> assignments = new ArrayList<>();
        for (String column : values.keySet()) assignments.add(column + " = $" + (assignments.size() + 1));
        String sets = String.join(", ", assignments);
        String sql = "UPDATE " + entity.table() + " SET " + sets + ", modified_at = now() WHERE " + entity.keyField().column()
                + " = $" + args.size() + " RETURNING " + SHOWN;
        write(ctx, entity, 200, conn -> guardBefore(conn, entity, caller, key)
                .compose(visible -> conn.preparedQuery(sql).execute(Tuple.from(args)))
                .map(rows -> single(rows, entity, key))
                .compose(row -> guardAfter(conn, entity, caller, row).map(row))
                .compose(row -> afterChange(conn, entity, row).map(done -> new Written(row, json(entity, row)))));
    }

    /** Deactivates (or, for policies and presets, deletes) one; a deleted policy becomes a tombstone. */
    private void deactivate(RoutingContext ctx, Entity entity) {
        Principal caller = writer(ctx, entity);
        Object key = key(ctx, entity);
        String sql = entity.deactivate() == null
                ? "DELETE FROM " + entity.table() + " WHERE " + entity.keyField().column() + " = $1 RETURNING " + SHOWN
                : "UPDATE " + entity.table() + " SET " + entity.deactivate() + ", modified_at = now() WHERE "
                        + entity.keyField().column() + " = $1 RETURNING " + SHOWN;
        write(ctx, entity, 200, conn -> guardBefore(conn, entity, caller, key)
                .compose(visible -> conn.preparedQuery(sql).execute(Tuple.of(key)))
                .map(rows -> single(rows, entity, key))
                .compose(row -> afterChange(conn, entity, row).map(done -> new Written(row, json(entity, row)))));
    }

    private void associations(RoutingContext ctx) {
        admin(ctx);
        String group = ctx.pathParam("key");
        String sql = """
                SELECT (SELECT count(*) FROM scaling_groups WHERE name = $1) AS found,
                       ARRAY(SELECT domain_name FROM scaling_groups_for_domains WHERE scaling_group = $1 ORDER BY 1) AS domains,
                       ARRAY(SELECT project_name FROM scaling_groups_for_projects WHERE scaling_group = $1 ORDER BY 1) AS projects,
                       ARRAY(SELECT access_key FROM scaling_groups_for_keypairs WHERE scaling_group = $1 ORDER BY 1) AS keypairs""";
        pool.preparedQuery(sql).execute(Tuple.of(group)).map(rows -> {
            Row row = rows.iterator().next();
            if (row.getLong("found") == 0) throw notFound(Entities.SCALING_GROUPS, group);
            return new JsonObject()
                    .put("domains", new JsonArray(List.of(row.getArrayOfStrings("domains"))))
                    .put("projects", new JsonArray(List.of(row.getArrayOfStrings("projects"))))
                    .put("keypairs", new JsonArray(List.of(row.getArrayOfStrings("keypairs"))));
        }).onSuccess(body -> json(ctx, 200, body)).onFailure(ctx::fail);
    }

    /** ADM-03: allow (PUT) or disallow (DELETE) a scaling group for a domain, project or keypair. */
    private void associate(RoutingContext ctx, boolean add) {
        Access.requireSuperadmin(admin(ctx));
        String kind = ctx.pathParam("kind");
        Association association = ASSOCIATIONS.get(kind);
        if (association == null) throw new ProblemException(ProblemKind.URL_NOT_FOUND, "associations are with domains, projects or keypairs, not " + kind);
        String group = ctx.pathParam("key");
        String target = ctx.pathParam("target");
        String sql = add
                ? "INSERT INTO " + association.table() + " (scaling_group, " + association.column() + ") VALUES ($1, $2) ON CONFLICT DO NOTHING"
                : "DELETE FROM " + association.table() + " WHERE scaling_group = $1 AND " + association.column() + " = $2";
        pool.withTransaction(conn -> conn.preparedQuery(sql).execute(Tuple.of(group, target)))
                .recover(failure -> Future.failedFuture(associationProblem(failure, group, association, target)))
                .onSuccess(done -> json(ctx, 200, new JsonObject().put("scalingGroup", group).put(kind, target).put("allowed", add)))
                .onFailure(ctx::fail);
    }

    /** AUTH-07: add a user to a project, or remove it; domain admins within their domain. */
    private void member(RoutingContext ctx, boolean add) {
        Principal caller = admin(ctx);
        String project = ctx.pathParam("key");
        Object user = new FieldType.Uuid().toSql("user", ctx.pathParam("user"), new Errors());
        if (user == null) throw ProblemException.invalid("user must be a UUID, got \"" + ctx.pathParam("user") + "\"");
        String check = """
                SELECT (SELECT domain_name FROM projects WHERE name = $1) AS project_domain,
                       (SELECT domain_name FROM users WHERE id = $2) AS user_domain""";
        String sql = add
                ? "INSERT INTO project_members (project_name, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
                : "DELETE FROM project_members WHERE project_name = $1 AND user_id = $2";
        pool.withTransaction(conn -> conn.preparedQuery(check).execute(Tuple.of(project, user)).compose(rows -> {
            Row row = rows.iterator().next();
            if (row.getString("project_domain") == null) throw notFound(Entities.PROJECTS, project);
            if (row.getString("user_domain") == null) throw notFound(Entities.USERS, user);
            if (caller.role() != Role.SUPERADMIN && !(caller.domain().equals(row.getString("project_domain"))
                    && caller.domain().equals(row.getString("user_domain")))) {
                throw new ProblemException(ProblemKind.INSUFFICIENT_PRIVILEGE, "a domain admin manages members only within its own domain");
            }
            return conn.preparedQuery(sql).execute(Tuple.of(project, user));
        })).onSuccess(done -> json(ctx, 200, new JsonObject().put("project", project).put("userId", user.toString()).put("member", add)))
                .onFailure(ctx::fail);
    }

    // ---- the write path: one transaction, then the outbox relay ----

    private record Written(Row row, JsonObject answer) {}

    private void write(RoutingContext ctx, Entity entity, int status, java.util.function.Function<SqlConnection, Future<Written>> work) {
        pool.withTransaction(conn -> work.apply(conn).compose(written ->
                        Outbox.record(conn, entity.changes().apply(written.row())).map(written)))
                .recover(failure -> Future.failedFuture(PgErrors.translate(failure, entity)))
                .onSuccess(written -> {
                    outboxWritten.run();
                    json(ctx, status, written.answer());
                })
                .onFailure(ctx::fail);
    }

    /** AUTH-06: a new user gets a keypair with the default policy and rate limit, admin iff the role is. */
    private Future<JsonObject> afterCreate(SqlConnection conn, Entity entity, Row row) {
        if (entity != Entities.USERS) return Future.succeededFuture(new JsonObject());
        Keys.Keypair keypair = Keys.generate();
        boolean admin = Role.of(row.getString("role")).isAdmin();
        return conn.preparedQuery("INSERT INTO keypairs (access_key, secret_key, user_id, is_admin, resource_policy, rate_limit)"
                        + " VALUES ($1, $2, $3, $4, 'default', $5)")
                .execute(Tuple.of(keypair.accessKey(), keypair.secretKey(), row.getUUID("id"), admin, defaultRateLimit.getAsInt()))
                .compose(done -> Outbox.record(conn, new ConfigChange.Keypair(keypair.accessKey())))
                .map(done -> new JsonObject().put("keypair", new JsonObject()
                        .put("accessKey", keypair.accessKey()).put("secretKey", keypair.secretKey())));
    }

    /** A user's role, domain and status, and its domain's being active, are part of each of its keypairs' config records. */
    private Future<Void> afterChange(SqlConnection conn, Entity entity, Row row) {
        if (entity == Entities.USERS) {
            return keypairsChanged(conn, "SELECT access_key FROM keypairs WHERE user_id = $1", row.getUUID("id"));
        }
        if (entity == Entities.DOMAINS) {
            return keypairsChanged(conn, "SELECT k.access_key FROM keypairs k JOIN users u ON u.id = k.user_id WHERE u.domain_name = $1",
                    row.getString("name"));
        }
        return Future.succeededFuture();
    }

    private static Future<Void> keypairsChanged(SqlConnection conn, String sql, Object key) {
        return conn.preparedQuery(sql).execute(Tuple.of(key))
                .compose(rows -> Outbox.record(conn, stream(rows).map(keypair -> new ConfigChange.Keypair(keypair.getString(0))).toList()));
    }

    // ---- who may do what ----

    private static Principal admin(RoutingContext ctx) {
        Principal caller = Principal.of(ctx);
        Access.requireAdmin(caller);
        return caller;
    }

    private static Principal writer(RoutingContext ctx, Entity entity) {
        Principal caller = admin(ctx);
        if (caller.role() != Role.SUPERADMIN && !entity.domainAdminsWrite()) {
            throw new ProblemException(ProblemKind.INSUFFICIENT_PRIVILEGE, "only superadmins change " + entity.path());
        }
        return caller;
    }

    /** Domain admins read only their domain's rows of domain-scoped entities. */
    private static void scope(Where where, Entity entity, Principal caller) {
        if (caller.role() != Role.SUPERADMIN && entity.domainOf() != null) where.add(entity.domainOf() + " = ", caller.domain());
    }

    /** A domain admin may change only a row of its own domain that is not a superadmin's. */
    private static Future<Void> guardBefore(SqlConnection conn, Entity entity, Principal caller, Object key) {
        if (caller.role() == Role.SUPERADMIN || entity.domainOf() == null) return Future.succeededFuture();
        String sql = "SELECT " + entity.domainOf() + " AS domain, " + (entity.superadminOwned() == null ? "false" : entity.superadminOwned())
                + " AS superadmin FROM " + entity.table() + " WHERE " + entity.keyField().column() + " = $1";
        return conn.preparedQuery(sql).execute(Tuple.of(key)).map(rows -> {
            if (rows.size() == 0 || !caller.domain().equals(rows.iterator().next().getString("domain"))) throw notFound(entity, key);
            if (Boolean.TRUE.equals(rows.iterator().next().getBoolean("superadmin"))) {
                throw new ProblemException(ProblemKind.INSUFFICIENT_PRIVILEGE, "a domain admin may not change a superadmin's " + entity.noun());
            }
            return null;
        });
    }

    private static Future<Void> guardAfter(SqlConnection conn, Entity entity, Principal caller, Row row) {
        if (caller.role() == Role.SUPERADMIN || entity.domainOf() == null) return Future.succeededFuture();
        Object key = row.getValue(entity.keyField().column());
        String sql = "SELECT " + entity.domainOf() + " AS domain, " + (entity.superadminOwned() == null ? "false" : entity.superadminOwned())
                + " AS superadmin FROM " + entity.table() + " WHERE " + entity.keyField().column() + " = $1";
        return conn.preparedQuery(sql).execute(Tuple.of(key)).map(rows -> {
            Row check = rows.iterator().next();
            if (!caller.domain().equals(check.getString("domain"))) {
                throw new ProblemException(ProblemKind.INSUFFICIENT_PRIVILEGE, "a domain admin may not place a " + entity.noun()
                        + " in domain \"" + check.getString("domain") + "\"; its domain is \"" + caller.domain() + "\"");
            }
            if (Boolean.TRUE.equals(check.getBoolean("superadmin"))) {
                throw new ProblemException(ProblemKind.INSUFFICIENT_PRIVILEGE, "a domain admin may not make a superadmin's " + entity.noun());
            }
            return null;
        });
    }

    // ---- bodies, keys, rows ----

    /** Column → SQL value of a create (every required field) or an update (only what is given). */
    private static Map<String, Object> values(Entity entity, JsonObject body, boolean creating) {
        Errors errors = new Errors();
        Map<String, Object> values = new LinkedHashMap<>();
        for (String name : new TreeSet<>(body.fieldNames())) {
            Field field = entity.field(name);
            boolean allowed = field != null && (creating ? field.writable() : field.updatable());
            if (!allowed) {
                errors.add(name, creating ? "is not a field of a new " + entity.noun() + "; fields: " + writable(entity)
                        : "cannot be changed; updatable fields: " + updatable(entity));
                continue;
            }
            Object value = body.getValue(name);
            if (value == null) {
                errors.add(name, "must not be null");
                continue;
            }
            values.put(field.column(), field.type().toSql(name, value, errors));
        }
        if (creating) {
            for (Field field : entity.fields()) {
                if (field.required() && field.writable() && !body.containsKey(field.api())) errors.add(field.api(), "is required");
            }
        }
        errors.throwIfAny();
        return values;
    }

    private static Object key(RoutingContext ctx, Entity entity) {
        String raw = ctx.pathParam("key");
        if (entity.keyField().type() instanceof FieldType.Uuid uuid) {
            Errors errors = new Errors();
            Object key = uuid.toSql(entity.keyField().api(), raw, errors);
            errors.throwIfAny();
            return key;
        }
        return raw;
    }

    private static Row single(RowSet<Row> rows, Entity entity, Object key) {
        if (rows.size() == 0) throw notFound(entity, key);
        return rows.iterator().next();
    }

    private static ProblemException notFound(Entity entity, Object key) {
        return new ProblemException(ProblemKind.OBJECT_NOT_FOUND, "no " + entity.noun() + " \"" + key + "\"");
    }

    private static JsonObject json(Entity entity, Row row) {
        JsonObject json = new JsonObject();
        for (Field field : entity.fields()) json.put(field.api(), field.type().toJson(row, field.column()));
        return json;
    }

    private static String writable(Entity entity) {
        return entity.fields().stream().filter(Field::writable).map(Field::api).collect(Collectors.joining(", "));
    }

    private static String updatable(Entity entity) {
        return entity.fields().stream().filter(Field::updatable).map(Field::api).collect(Collectors.joining(", "));
    }

    private static String placeholders(int count, int first) {
        List<String> marks = new ArrayList<>();
        for (int i = 0; i < count; i++) marks.add("$" + (first + i));
        return String.join(", ", marks);
    }

    /** A link to a missing row names the missing side: the database reports which reference failed. */
    private static Throwable associationProblem(Throwable failure, String group, Association association, String target) {
        if (failure instanceof io.vertx.pgclient.PgException pg && "23503".equals(pg.getSqlState())) {
            boolean groupMissing = pg.getDetail() != null && pg.getDetail().contains("table \"scaling_groups\"");
            return groupMissing ? notFound(Entities.SCALING_GROUPS, group) : notFound(association.target(), target);
        }
        return failure;
    }

    private static java.util.stream.Stream<Row> stream(RowSet<Row> rows) {
        List<Row> list = new ArrayList<>();
        rows.forEach(list::add);
        return list.stream();
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", JSON).end(body.encode());
    }

    /** A WHERE clause with numbered parameters. */
    private static final class Where {
        private final List<String> conditions = new ArrayList<>();
        private final List<Object> args = new ArrayList<>();

        Where add(String leftSide, Object value) {
            args.add(value);
            conditions.add(leftSide + "$" + args.size());
            return this;
        }

        String sql() {
            return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
        }

        Tuple args() {
            return Tuple.from(args);
        }
    }
}
