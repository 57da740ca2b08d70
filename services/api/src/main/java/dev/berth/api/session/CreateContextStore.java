package dev.berth.api.session;

import dev.berth.identity.SlotMaps;
import dev.berth.schema.avro.SessionType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The SQL a session create reads: owner, allowed scaling groups, preset and image. */
public final class CreateContextStore {

    private static final String OWNER = """
            SELECT k.access_key, k.user_id, u.domain_name, k.bootstrap_script, p.max_containers_per_session,
                   ARRAY(SELECT m.project_name FROM project_members m JOIN projects pr ON pr.name = m.project_name
                         WHERE m.user_id = k.user_id AND pr.is_active ORDER BY m.project_name) AS projects
            FROM keypairs k JOIN users u ON u.id = k.user_id JOIN keypair_resource_policies p ON p.name = k.resource_policy
            WHERE k.access_key = $1""";
    private static final String GROUPS = """
            SELECT g.name, g.is_public, g.scheduler_opts -> 'allowed_session_types' AS types FROM scaling_groups g
            WHERE g.is_active AND (
                EXISTS (SELECT 1 FROM scaling_groups_for_domains d WHERE d.scaling_group = g.name AND d.domain_name = $1)
             OR EXISTS (SELECT 1 FROM scaling_groups_for_projects p WHERE p.scaling_group = g.name AND p.project_name = $2)
             OR EXISTS (SELECT 1 FROM scaling_groups_for_keypairs k WHERE k.scaling_group = g.name AND k.access_key = $3))
            ORDER BY g.name""";
    private static final String PRESET = "SELECT resource_slots FROM resource_presets WHERE name = $1";
    private static final String IMAGE = "SELECT labels, min_resources FROM images WHERE name = $1 AND tag = $2 AND is_active";

    private final Pool pool;

    public CreateContextStore(Pool pool) {
        this.pool = pool;
    }

    public Future<CreatePlan.Owner> owner(String accessKey) {
        return pool.preparedQuery(OWNER).execute(Tuple.of(accessKey)).map(rows -> {
            Row row = rows.iterator().next();
            return new CreatePlan.Owner(row.getString("access_key"), row.getUUID("user_id").toString(), row.getString("domain_name"),
                    row.getString("bootstrap_script"), row.getInteger("max_containers_per_session"), List.of(row.getArrayOfStrings("projects")));
        });
    }

    /** Every project's allowed groups for the owner, so the pure plan can pick after choosing the project. */
    public Future<Map<String, List<CreatePlan.Group>>> groups(CreatePlan.Owner owner) {
        Map<String, List<CreatePlan.Group>> byProject = new LinkedHashMap<>();
        Future<Void> chain = Future.succeededFuture();
        List<String> projects = new ArrayList<>(owner.projects());
        if (projects.isEmpty()) projects.add("");
        for (String project : projects) {
            chain = chain.compose(done -> pool.preparedQuery(GROUPS).execute(Tuple.of(owner.domain(), project, owner.accessKey()))
                    .map(rows -> {
                        List<CreatePlan.Group> groups = new ArrayList<>();
                        for (Row row : rows) groups.add(new CreatePlan.Group(row.getString("name"), row.getBoolean("is_public"), types(row)));
                        byProject.put(project, groups);
                        return null;
                    }));
        }
        return chain.map(byProject);
    }

    public Future<Optional<Map<String, Long>>> preset(String name) {
        if (name == null) return Future.succeededFuture(Optional.empty());
        return pool.preparedQuery(PRESET).execute(Tuple.of(name))
                .map(rows -> rows.size() == 0 ? Optional.empty()
                        : Optional.of(SlotMaps.of((JsonObject) rows.iterator().next().getJson("resource_slots"))));
    }

    public Future<Optional<CreatePlan.Image>> image(String reference) {
        ImageRef ref = ImageRef.parse(reference);
        return pool.preparedQuery(IMAGE).execute(Tuple.of(ref.name(), ref.tag())).map(rows -> {
            if (rows.size() == 0) return Optional.empty();
            Row row = rows.iterator().next();
            Map<String, String> labels = new LinkedHashMap<>();
            ((JsonObject) row.getJson("labels")).forEach(label -> labels.put(label.getKey(), String.valueOf(label.getValue())));
            return Optional.of(new CreatePlan.Image(labels, SlotMaps.of((JsonObject) row.getJson("min_resources"))));
        });
    }

    private static Set<SessionType> types(Row row) {
        Set<SessionType> types = EnumSet.noneOf(SessionType.class);
        for (Object type : (JsonArray) row.getJson("types")) types.add(SessionType.valueOf(type.toString().toUpperCase(Locale.ROOT)));
        return types;
    }
}
