package dev.berth.api.admin;

import dev.berth.api.auth.Access;
import dev.berth.api.auth.Principal;
import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.api.resource.AgentView;
import dev.berth.api.resource.ResourceRoutes;
import dev.berth.api.session.RequestValidation;
import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.schema.avro.SetSchedulable;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * {@code /v1/admin/agents} (ADM-04, RES-13), superadmins only: the agents the API knows from their
 * heartbeats, and {@code PATCH {"schedulable": false|true}} to drain one or let it take new kernels
 * again. The change goes to the agent as a SetSchedulable on {@code agent.commands}; the agent keeps
 * it across restarts and its next heartbeat, sent at once, shows it. The answer is 202: the
 * command is on its way, and {@code GET /v1/admin/agents/{id}} tells when the agent has applied it.
 */
public final class AgentRoutes {

    private static final String JSON = "application/json";
    private static final Set<String> FILTERS = Set.of("limit", "offset", "scalingGroup", "status");
    private static final List<String> STATUSES = List.of("ALIVE", "LOST");

    private final AgentView agents;
    private final AgentCommandPublisher publisher;

    public AgentRoutes(AgentView agents, AgentCommandPublisher publisher) {
        this.agents = agents;
        this.publisher = publisher;
    }

    public List<AdminRoutes.Route> routes() {
        return List.of(
                new AdminRoutes.Route(HttpMethod.GET, "/v1/admin/agents", this::list),
                new AdminRoutes.Route(HttpMethod.GET, "/v1/admin/agents/:id", this::get),
                new AdminRoutes.Route(HttpMethod.PATCH, "/v1/admin/agents/:id", this::update));
    }

    /** Every known agent, by id; {@code ?scalingGroup=}, {@code ?status=ALIVE,LOST} (AGT-06), {@code ?limit}, {@code ?offset}. */
    private void list(RoutingContext ctx) {
        Access.requireSuperadmin(Principal.of(ctx));
        MultiMap query = ctx.queryParams();
        Predicate<AgentHeartbeat> wanted = filter(query, agents::alive);
        int limit = RequestValidation.limit(query.get("limit"));
        int offset = RequestValidation.offset(query.get("offset"));
        List<AgentHeartbeat> matching = agents.known().stream().filter(wanted).toList();
        JsonArray items = new JsonArray();
        matching.stream().skip(offset).limit(limit).forEach(beat -> items.add(json(beat, agents.alive(beat))));
        json(ctx, 200, new JsonObject().put("items", items).put("total", matching.size()).put("limit", limit).put("offset", offset));
    }

    private void get(RoutingContext ctx) {
        Access.requireSuperadmin(Principal.of(ctx));
        AgentHeartbeat beat = known(ctx.pathParam("id"));
        json(ctx, 200, json(beat, agents.alive(beat)));
    }

    private void update(RoutingContext ctx) {
        Principal caller = Principal.of(ctx);
        Access.requireSuperadmin(caller);
        boolean schedulable = schedulable(RequestValidation.jsonObject(ctx.body().buffer()));
        String id = known(ctx.pathParam("id")).getAgentId();
        AgentCommand command = command(id, schedulable, caller.accessKey(), Instant.now(), UUID.randomUUID().toString());
        Future.fromCompletionStage(publisher.publish(command), ctx.vertx().getOrCreateContext())
                .onSuccess(acked -> json(ctx, 202, new JsonObject()
                        .put("id", id).put("schedulable", schedulable).put("commandId", command.getCommandId())))
                .onFailure(ctx::fail);
    }

    private AgentHeartbeat known(String id) {
        return agents.latest(id).orElseThrow(() -> new ProblemException(ProblemKind.OBJECT_NOT_FOUND,
                "no agent \"" + id + "\" has sent a heartbeat that the API still holds"));
    }

    // ---- pure parts ----

    /** The body of a PATCH: exactly {@code schedulable}, a JSON boolean. */
    static boolean schedulable(JsonObject body) {
        Errors errors = new Errors();
        for (String name : new TreeSet<>(body.fieldNames())) {
            if (!name.equals("schedulable")) errors.add(name, "cannot be changed; updatable fields: schedulable");
        }
        Object value = body.getValue("schedulable");
        if (!body.containsKey("schedulable")) errors.add("schedulable", "is required");
        else if (!(value instanceof Boolean)) errors.add("schedulable", "must be true or false, got " + Json.encode(value));
        errors.throwIfAny();
        return (Boolean) value;
    }

    /** The command that carries an admin's choice to the agent. */
    static AgentCommand command(String agentId, boolean schedulable, String requestedBy, Instant at, String commandId) {
        return AgentCommand.newBuilder()
                .setCommandId(commandId)
                .setAgentId(agentId)
                .setAt(at)
                .setOp(new SetSchedulable(schedulable, requestedBy))
                .build();
    }

    /** AGT-01 as far as heartbeats tell: status is ALIVE within the heartbeat timeout, LOST after it. */
    static JsonObject json(AgentHeartbeat beat, boolean alive) {
        return new JsonObject()
                .put("id", beat.getAgentId())
                .put("status", alive ? "ALIVE" : "LOST")
                .put("scalingGroup", beat.getScalingGroup())
                .put("schedulable", beat.getSchedulable())
                .put("capacity", ResourceRoutes.shown(beat.getCapacity()))
                .put("occupied", ResourceRoutes.shown(beat.getOccupied()))
                .put("kernelCount", beat.getKernels().size())
                .put("lastHeartbeat", beat.getAt().toString())
                .put("architecture", beat.getArchitecture())
                .put("runtime", beat.getRuntime())
                .put("version", beat.getVersion())
                .put("address", beat.getAddress());
    }

    /** The list's filters; an unknown parameter or status is a 400 naming it. */
    static Predicate<AgentHeartbeat> filter(MultiMap query, Predicate<AgentHeartbeat> alive) {
        Errors errors = new Errors();
        for (String name : new TreeSet<>(query.names())) {
            if (!FILTERS.contains(name)) errors.add(name, "is not a filter of agents; filters: scalingGroup, status");
        }
        List<Predicate<AgentHeartbeat>> all = new ArrayList<>();
        String group = query.get("scalingGroup");
        if (group != null) all.add(beat -> beat.getScalingGroup().equals(group));
        String status = query.get("status");
        if (status != null) {
            List<String> statuses = Arrays.stream(status.split(",")).map(String::trim).toList();
            for (String one : statuses) {
                if (!STATUSES.contains(one)) errors.add("status", "must be a comma-separated list of " + String.join(", ", STATUSES) + ", got \"" + one + "\"");
            }
            all.add(beat -> statuses.contains(alive.test(beat) ? "ALIVE" : "LOST"));
        }
        errors.throwIfAny();
        return all.stream().reduce(beat -> true, Predicate::and);
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", JSON).end(body.encode());
    }
}
