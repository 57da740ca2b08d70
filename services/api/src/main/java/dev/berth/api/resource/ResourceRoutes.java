package dev.berth.api.resource;

import dev.berth.api.auth.Principal;
import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.identity.SlotMaps;
import dev.berth.schema.Slots;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.api.session.SessionView;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a keypair may still launch (RES-03/04/08): presets, allowed scaling groups, its current
 * use and what is left under its keypair resource policy. Use comes from the session view.
 */
public final class ResourceRoutes {

    private static final String JSON = "application/json";
    private static final String PRESETS = "SELECT name, resource_slots, shared_memory FROM resource_presets ORDER BY name";
    private static final String POLICY = """
            SELECT p.total_resource_slots, p.default_for_unspecified, p.max_concurrent_sessions
            FROM keypairs k JOIN keypair_resource_policies p ON p.name = k.resource_policy WHERE k.access_key = $1""";
    /** RES-08: allowed = associated with the caller's domain, one of its projects, or its keypair. */
    private static final String GROUPS = """
            SELECT g.name, g.is_public FROM scaling_groups g
            WHERE g.is_active AND (
                EXISTS (SELECT 1 FROM scaling_groups_for_domains d WHERE d.scaling_group = g.name AND d.domain_name = $1)
             OR EXISTS (SELECT 1 FROM scaling_groups_for_projects p JOIN project_members m ON m.project_name = p.project_name
                        WHERE p.scaling_group = g.name AND m.user_id = $2::uuid)
             OR EXISTS (SELECT 1 FROM scaling_groups_for_keypairs k WHERE k.scaling_group = g.name AND k.access_key = $3))
            ORDER BY g.name""";

    private final Pool pool;
    private final SessionView view;
    private final AgentView agents;

    public ResourceRoutes(Pool pool, SessionView view, AgentView agents) {
        this.pool = pool;
        this.view = view;
        this.agents = agents;
    }

    /** RES-03: every preset, slots in user units. */
    public void presets(RoutingContext ctx) {
        presets().onSuccess(body -> json(ctx, body)).onFailure(ctx::fail);
    }

    /** {@code {"presets": [{name, resourceSlots, sharedMemory}]}}, for every front. */
    public Future<JsonObject> presets() {
        return pool.query(PRESETS).execute().map(rows -> {
            JsonArray presets = new JsonArray();
            for (Row row : rows) presets.add(preset(row));
            return new JsonObject().put("presets", presets);
        });
    }

    /** RES-08: the scaling groups the caller may use; non-admins see public ones only. */
    public void scalingGroups(RoutingContext ctx) {
        scalingGroups(Principal.of(ctx)).onSuccess(body -> json(ctx, body)).onFailure(ctx::fail);
    }

    /** {@code {"scalingGroups": [{name}]}} allowed for {@code caller}, for every front. */
    public Future<JsonObject> scalingGroups(Principal caller) {
        return pool.preparedQuery(GROUPS).execute(Tuple.of(caller.domain(), caller.userId(), caller.accessKey())).map(rows -> {
            JsonArray groups = new JsonArray();
            for (Row row : rows) {
                if (caller.role().isAdmin() || row.getBoolean("is_public")) groups.add(new JsonObject().put("name", row.getString("name")));
            }
            return new JsonObject().put("scalingGroups", groups);
        });
    }

    /** The caller's occupancy (SES-10): in total and per scaling group, with its live session count. */
    public void usage(RoutingContext ctx) {
        Principal caller = Principal.of(ctx);
        List<Session> occupying = occupying(caller);
        json(ctx, new JsonObject()
                .put("accessKey", caller.accessKey())
                .put("concurrencyUsed", live(caller))
                .put("using", shown(Occupancy.sum(occupying)))
                .put("scalingGroups", byGroup(occupying)));
    }

    /**
     * RES-04: the keypair's limits, use and what remains; per allowed scaling group the caller's
     * use and the room its live agents have (capped by what the keypair may still use); and each
     * preset with {@code allocatable}: it fits the keypair's policy and one agent of those groups.
     */
    public void checkPresets(RoutingContext ctx) {
        String only = ctx.queryParams().get("scalingGroup");
        if (only != null && only.isBlank()) throw ProblemException.invalid("scalingGroup must not be blank");
        checkPresets(Principal.of(ctx), only).onSuccess(body -> json(ctx, body)).onFailure(ctx::fail);
    }

    /** The body of {@link #checkPresets(RoutingContext)} for {@code caller}, all its groups or {@code only} one, for every front. */
    public Future<JsonObject> checkPresets(Principal caller, String only) {
        List<Session> occupying = occupying(caller);
        Map<String, Long> using = Occupancy.sum(occupying);
        return pool.preparedQuery(POLICY).execute(Tuple.of(caller.accessKey()))
                .compose(policyRows -> pool.preparedQuery(GROUPS).execute(Tuple.of(caller.domain(), caller.userId(), caller.accessKey()))
                        .compose(groupRows -> pool.query(PRESETS).execute().map(presetRows -> {
                            Row policy = policyRows.iterator().next();
                            Map<String, Long> limits = SlotMaps.of((JsonObject) policy.getJson("total_resource_slots"));
                            boolean limited = "LIMITED".equals(policy.getString("default_for_unspecified"));
                            Map<String, Optional<Long>> remaining = Occupancy.remaining(limits, limited, using);
                            List<String> groups = allowedGroups(caller, groupRows, only);
                            List<AgentView.Agent> live = agents.live().stream().filter(agent -> groups.contains(agent.scalingGroup())).toList();
                            JsonObject perGroup = new JsonObject();
                            for (String group : groups) {
                                List<Session> inGroup = occupying.stream().filter(session -> group.equals(session.getSpec().getScalingGroup())).toList();
                                List<AgentView.Agent> groupAgents = live.stream().filter(agent -> group.equals(agent.scalingGroup())).toList();
                                perGroup.put(group, new JsonObject()
                                        .put("using", shown(Occupancy.sum(inGroup)))
                                        .put("remaining", shown(Occupancy.room(groupAgents, remaining))));
                            }
                            JsonArray presets = new JsonArray();
                            for (Row row : presetRows) {
                                Map<String, Long> slots = SlotMaps.of((JsonObject) row.getJson("resource_slots"));
                                presets.add(preset(row).put("allocatable",
                                        Occupancy.fits(slots, limits, limited, using) && Occupancy.fitsOneAgent(slots, live)));
                            }
                            return new JsonObject()
                                    .put("keypairLimits", shown(limits))
                                    .put("defaultForUnspecified", policy.getString("default_for_unspecified").toLowerCase(Locale.ROOT))
                                    .put("keypairUsing", shown(using))
                                    .put("keypairRemaining", remaining(remaining))
                                    .put("maxConcurrentSessions", policy.getInteger("max_concurrent_sessions"))
                                    .put("concurrencyUsed", live(caller))
                                    .put("scalingGroups", perGroup)
                                    .put("presets", presets);
                        })));
    }

    /** RES-08: the groups the caller may use (public ones for non-admins), or the one it named. */
    private static List<String> allowedGroups(Principal caller, Iterable<Row> rows, String only) {
        List<String> groups = new ArrayList<>();
        for (Row row : rows) {
            if (caller.role().isAdmin() || row.getBoolean("is_public")) groups.add(row.getString("name"));
        }
        if (only == null) return groups;
        if (!groups.contains(only)) {
            throw new ProblemException(ProblemKind.SCALING_GROUP_NOT_FOUND, "scalingGroup \"" + only + "\" does not exist or is not allowed for this keypair");
        }
        return List.of(only);
    }

    private List<Session> occupying(Principal caller) {
        List<Session> mine = view.list(EnumSet.allOf(SessionStatus.class), session -> session.getAccessKey().equals(caller.accessKey()),
                Integer.MAX_VALUE).items();
        List<Session> occupying = new ArrayList<>();
        for (Session session : mine) if (Occupancy.occupies(session)) occupying.add(session);
        return occupying;
    }

    private int live(Principal caller) {
        return view.list(EnumSet.allOf(SessionStatus.class), session -> session.getAccessKey().equals(caller.accessKey())
                && Occupancy.counts(session.getStatus()) && session.getStatus() != SessionStatus.TERMINATING, Integer.MAX_VALUE).total();
    }

    private static JsonObject byGroup(List<Session> occupying) {
        Map<String, List<Session>> groups = new TreeMap<>();
        for (Session session : occupying) groups.computeIfAbsent(session.getSpec().getScalingGroup(), group -> new ArrayList<>()).add(session);
        JsonObject out = new JsonObject();
        groups.forEach((group, sessions) -> out.put(group, new JsonObject().put("using", shown(Occupancy.sum(sessions)))));
        return out;
    }

    private static JsonObject preset(Row row) {
        return new JsonObject()
                .put("name", row.getString("name"))
                .put("resourceSlots", shown(SlotMaps.of((JsonObject) row.getJson("resource_slots"))))
                .put("sharedMemory", row.getLong("shared_memory"));
    }

    /** Slots as users write them: cpu in cores, mem in bytes (Slots.present). */
    public static JsonObject shown(Map<String, Long> slots) {
        JsonObject out = new JsonObject();
        Slots.present(slots).forEach((slot, amount) -> out.put(slot,
                amount instanceof BigDecimal decimal ? new BigDecimal(decimal.toPlainString()) : amount));
        return out;
    }

    /** Unlimited slots read as the string "Infinity", as the original's JSON does. */
    private static JsonObject remaining(Map<String, Optional<Long>> remaining) {
        JsonObject out = new JsonObject();
        remaining.forEach((slot, amount) -> out.put(slot, amount.<Object>map(value -> {
            Object shown = Slots.present(slot, value);
            return shown instanceof BigDecimal decimal ? new BigDecimal(decimal.toPlainString()) : shown;
        }).orElse("Infinity")));
        return out;
    }

    private static void json(RoutingContext ctx, JsonObject body) {
        ctx.response().setStatusCode(200).putHeader("Content-Type", JSON).end(body.encode());
    }
}
