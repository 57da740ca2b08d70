package dev.berth.api.compat;

import dev.berth.api.auth.Access;
import dev.berth.api.auth.Principal;
import dev.berth.api.auth.Role;
import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemHandler;
import dev.berth.api.problem.ProblemKind;
import dev.berth.api.session.SessionView;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionStatus;
import graphql.ExecutionInput;
import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.ExecutionResult;
import graphql.GraphQL;
import graphql.GraphQLError;
import graphql.schema.DataFetcher;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.GraphQLScalarType;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * {@code POST /admin/graphql} (the data object itself, as the original's legacy endpoint and the
 * clients that read it) and {@code /admin/gql} ({@code {"data": ...}}): a real GraphQL engine over a
 * small schema (schema.graphqls beside this class) with what clients run at login and to list
 * sessions. Sessions come from the session view, keypairs, users and policies from PostgreSQL. Any
 * query outside the schema, or one the caller may not run, is a graphql-error with the engine's
 * {@code errors}, never a 500.
 */
public final class GraphQLRoutes {

    private static final String CALLER = "berth.caller";
    private static final int MAX_LIMIT = 1000;
    /** Statuses the original's kernels may have but Berth's sessions never take: a filter on them matches nothing. */
    private static final List<String> NEVER_TAKEN = List.of("BUILDING", "RESIZING", "SUSPENDED", "RUNNING_DEGRADED");

    /** The original's UUID arguments, as text. */
    private static final GraphQLScalarType UUID_SCALAR = GraphQLScalarType.newScalar().name("UUID").description("A UUID as text")
            .coercing(new Coercing<String, String>() {
                @Override
                public String serialize(Object value, GraphQLContext context, Locale locale) {
                    return value.toString();
                }

                @Override
                public String parseValue(Object input, GraphQLContext context, Locale locale) {
                    return uuid(input.toString());
                }

                @Override
                public String parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
                    if (input instanceof StringValue text) return uuid(text.getValue());
                    throw new CoercingParseLiteralException("a UUID is written as a string");
                }
            }).build();

    private final SessionView view;
    private final IdentityReads identity;
    private final GraphQL engine;

    public GraphQLRoutes(SessionView view, Pool pool) {
        this.view = view;
        this.identity = new IdentityReads(pool);
        this.engine = GraphQL.newGraphQL(new SchemaGenerator().makeExecutableSchema(new SchemaParser().parse(schemaText()), wiring())).build();
    }

    /** The original's legacy endpoint: the data object itself. */
    public void legacy(RoutingContext ctx) {
        execute(ctx, data -> data);
    }

    public void wrapped(RoutingContext ctx) {
        execute(ctx, data -> new JsonObject().put("data", data));
    }

    private void execute(RoutingContext ctx, Function<JsonObject, JsonObject> answer) {
        JsonObject request = CompatRoutes.params(ctx);
        if (!(request.getValue("query") instanceof String query) || query.isBlank()) {
            throw ProblemException.invalid("query must be a GraphQL document");
        }
        Object variables = request.getValue("variables");
        if (variables != null && !(variables instanceof JsonObject)) throw ProblemException.invalid("variables must be an object");
        ExecutionInput input = ExecutionInput.newExecutionInput()
                .query(query)
                .operationName(request.getValue("operation_name") instanceof String name ? name : null)
                .variables(variables == null ? Map.of() : ((JsonObject) variables).getMap())
                .graphQLContext(Map.of(CALLER, Principal.of(ctx)))
                .build();
        Future.fromCompletionStage(engine.executeAsync(input), ctx.vertx().getOrCreateContext()).onFailure(ctx::fail).onSuccess(result -> {
            if (result.getErrors().isEmpty()) {
                ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json")
                        .end(answer.apply(new JsonObject(result.<Map<String, Object>>getData())).encode());
            } else {
                respondErrors(ctx, result);
            }
        });
    }

    /** The original's GraphQLError: 400, its errors as the extra data and, as GraphQL clients read them, as {@code errors}. */
    private static void respondErrors(RoutingContext ctx, ExecutionResult result) {
        JsonArray errors = new JsonArray(result.getErrors().stream().map(GraphQLError::toSpecification).map(JsonObject::new).toList());
        String message = String.join("; ", result.getErrors().stream().map(GraphQLError::getMessage).toList());
        ProblemException problem = new ProblemException(ProblemKind.GRAPHQL_ERROR, message, null, errors);
        ctx.response().setStatusCode(problem.kind().status()).putHeader("Content-Type", ProblemHandler.CONTENT_TYPE)
                .end(OriginalProblems.body(problem, Map.of()).put("errors", errors).encode());
    }

    private RuntimeWiring wiring() {
        return RuntimeWiring.newRuntimeWiring()
                .scalar(UUID_SCALAR)
                .type("Query", query -> query
                        .dataFetcher("compute_session_list", this::sessionList)
                        .dataFetcher("compute_session", this::session)
                        .dataFetcher("keypair", async(this::keypair))
                        .dataFetcher("keypairs", async(this::keypairs))
                        .dataFetcher("keypair_list", async(this::keypairList))
                        .dataFetcher("keypair_resource_policy", async(this::policy))
                        .dataFetcher("keypair_resource_policies", async(this::policies))
                        .dataFetcher("user", async(env -> user(env, env.getArgument("email"), null)))
                        .dataFetcher("user_from_uuid", async(env -> user(env, null, env.getArgument("user_id")))))
                .build();
    }

    // ---- sessions ----

    /** ADM-01: newest first, {@code status} one name or a comma list; users see their own, domain admins their domain's. */
    private Map<String, Object> sessionList(DataFetchingEnvironment env) {
        Principal caller = caller(env);
        int limit = env.getArgument("limit");
        int offset = env.getArgument("offset");
        if (limit < 1 || limit > MAX_LIMIT) throw new IllegalArgumentException("limit must be in 1.." + MAX_LIMIT + ", got " + limit);
        if (offset < 0) throw new IllegalArgumentException("offset must be >= 0, got " + offset);
        String filter = env.getArgument("filter");
        if (filter != null && !filter.isBlank()) throw new IllegalArgumentException("filter expressions are not supported by Berth; use status, access_key, group_id, domain_name");
        String accessKey = env.getArgument("access_key");
        String domain = env.getArgument("domain_name");
        String group = env.getArgument("group_id");
        EnumSet<SessionStatus> statuses = statuses(env.getArgument("status"));
        if (caller.role() == Role.USER || caller.role() == Role.MONITOR) {
            if (accessKey != null && !accessKey.isBlank() && !accessKey.equals(caller.accessKey())) {
                throw new IllegalArgumentException("access_key: a user may list only its own sessions");
            }
            accessKey = caller.accessKey();
        } else if (caller.role() == Role.ADMIN && domain != null && !domain.isBlank() && !domain.equals(caller.domain())) {
            throw new IllegalArgumentException("domain_name: a domain admin may list only its own domain's sessions");
        }
        String key = blankToNull(accessKey);
        String domainName = blankToNull(domain);
        String project = blankToNull(group);
        List<Session> all = view.list(statuses, session -> Access.canActOn(caller, session)
                && (key == null || key.equals(session.getAccessKey()))
                && (domainName == null || domainName.equals(session.getSpec().getDomain()))
                && (project == null || project.equals(session.getSpec().getProject())), Integer.MAX_VALUE).items();
        List<Session> page = all.subList(Math.min(offset, all.size()), Math.min(offset + limit, all.size()));
        Map<String, Object> out = new HashMap<>();
        out.put("items", page.stream().map(this::graphql).toList());
        out.put("total_count", all.size());
        return out;
    }

    private Map<String, Object> session(DataFetchingEnvironment env) {
        Principal caller = caller(env);
        Object id = env.getArgument("id");
        return view.get(id.toString()).filter(session -> Access.canActOn(caller, session)).map(this::graphql).orElse(null);
    }

    private Map<String, Object> graphql(Session session) {
        List<Session> dependencies = session.getSpec().getDependencies().stream().map(view::get).flatMap(Optional::stream).toList();
        return OriginalSession.graphql(session, null, dependencies);
    }

    /** One name or a comma list, any case; the original's kernel-only statuses match nothing. */
    static EnumSet<SessionStatus> statuses(String raw) {
        if (raw == null || raw.isBlank()) return EnumSet.allOf(SessionStatus.class);
        EnumSet<SessionStatus> out = EnumSet.noneOf(SessionStatus.class);
        for (String part : raw.split(",")) {
            String name = part.trim().toUpperCase(java.util.Locale.ROOT);
            if (name.isEmpty() || NEVER_TAKEN.contains(name)) continue;
            try {
                out.add(SessionStatus.valueOf(name));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("status has an unknown name \"" + part.trim() + "\"; known: " + List.of(SessionStatus.values()));
            }
        }
        return out;
    }

    // ---- keypairs, policies, users ----

    /** The caller's own keypair, or for admins the named one (a domain admin's in its domain). */
    private Future<Object> keypair(DataFetchingEnvironment env) {
        Principal caller = caller(env);
        String asked = env.getArgument("access_key");
        String key = caller.role().isAdmin() && asked != null ? asked : caller.accessKey();
        return identity.keypairs(key, null, scopeDomain(caller, env.getArgument("domain_name")), null, 1, 0)
                .map(page -> page.items().isEmpty() ? null : withUse(page.items().getFirst()));
    }

    private Future<Object> keypairs(DataFetchingEnvironment env) {
        Principal caller = caller(env);
        return identity.keypairs(null, scopeEmail(caller, env.getArgument("email")), scopeDomain(caller, env.getArgument("domain_name")),
                env.getArgument("is_active"), MAX_LIMIT, 0).map(page -> page.items().stream().map(this::withUse).toList());
    }

    private Future<Object> keypairList(DataFetchingEnvironment env) {
        Principal caller = caller(env);
        int limit = env.getArgument("limit");
        int offset = env.getArgument("offset");
        if (limit < 1 || limit > MAX_LIMIT || offset < 0) throw new IllegalArgumentException("limit must be in 1.." + MAX_LIMIT + " and offset >= 0");
        return identity.keypairs(null, scopeEmail(caller, env.getArgument("email")), scopeDomain(caller, env.getArgument("domain_name")),
                env.getArgument("is_active"), limit, offset).map(page -> {
                    Map<String, Object> out = new HashMap<>();
                    out.put("items", page.items().stream().map(this::withUse).toList());
                    // an offset past the end has no row to carry the count
                    out.put("total_count", page.items().isEmpty() && offset > 0 ? offset : page.total());
                    return out;
                });
    }

    /** concurrency_used: the keypair's sessions that count towards max_concurrent_sessions (SES-10). */
    private Map<String, Object> withUse(Map<String, Object> keypair) {
        Map<String, Object> out = new HashMap<>(keypair);
        out.put("concurrency_used", view.list(EnumSet.of(SessionStatus.PENDING, SessionStatus.SCHEDULED, SessionStatus.PULLING,
                SessionStatus.PREPARING, SessionStatus.RUNNING, SessionStatus.RESTARTING, SessionStatus.ERROR),
                session -> session.getAccessKey().equals(keypair.get("access_key")), Integer.MAX_VALUE).total());
        return out;
    }

    /** The caller's keypair's policy; admins may read any. */
    private Future<Object> policy(DataFetchingEnvironment env) {
        Principal caller = caller(env);
        String asked = env.getArgument("name");
        String name = asked == null || !caller.role().isAdmin() ? caller.resourcePolicy() : asked;
        return identity.policies(name).map(policies -> policies.isEmpty() ? null : policies.getFirst());
    }

    private Future<Object> policies(DataFetchingEnvironment env) {
        Principal caller = caller(env);
        if (!caller.role().isAdmin()) throw new IllegalArgumentException("keypair_resource_policies is for superadmins and domain admins");
        return identity.policies(null).map(policies -> policies);
    }

    /** The caller; for admins the user named by email or id (a domain admin's in its domain). */
    private Future<Object> user(DataFetchingEnvironment env, String email, Object id) {
        Principal caller = caller(env);
        String domain = scopeDomain(caller, env.getArgument("domain_name"));
        boolean other = caller.role().isAdmin() && (email != null || id != null);
        UUID uuid = other && id != null ? UUID.fromString(id.toString()) : other ? null : UUID.fromString(caller.userId());
        return identity.users(other ? email : null, uuid, domain).map(users -> users.isEmpty() ? null : users.getFirst());
    }

    /** A user reads its own rows only: the email filter becomes its own. */
    private static String scopeEmail(Principal caller, String email) {
        return caller.role().isAdmin() ? email : caller.email();
    }

    /** A domain admin reads its own domain only; a superadmin whichever it names, or all. */
    private static String scopeDomain(Principal caller, String domain) {
        return switch (caller.role()) {
            case SUPERADMIN -> domain;
            case ADMIN -> {
                if (domain != null && !domain.equals(caller.domain())) throw new IllegalArgumentException("domain_name: a domain admin reads its own domain only");
                yield caller.domain();
            }
            case USER, MONITOR -> caller.domain();
        };
    }

    private static Principal caller(DataFetchingEnvironment env) {
        return env.getGraphQlContext().get(CALLER);
    }

    /** A fetcher over a Vert.x future: the engine waits on it without blocking the event loop. */
    private static DataFetcher<CompletableFuture<Object>> async(Function<DataFetchingEnvironment, Future<Object>> fetch) {
        return env -> fetch.apply(env).toCompletionStage().toCompletableFuture();
    }

    private static String uuid(String text) {
        try {
            return UUID.fromString(text.trim()).toString();
        } catch (IllegalArgumentException e) {
            throw new CoercingParseValueException("not a UUID: \"" + text + "\"");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static String schemaText() {
        try (InputStream in = GraphQLRoutes.class.getResourceAsStream("schema.graphqls")) {
            if (in == null) throw new IllegalStateException("schema.graphqls is missing from the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read schema.graphqls", e);
        }
    }
}
