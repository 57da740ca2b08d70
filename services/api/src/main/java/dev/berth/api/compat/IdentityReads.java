package dev.berth.api.compat;

import dev.berth.api.resource.ResourceRoutes;
import dev.berth.identity.SlotMaps;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The SQL behind the GraphQL queries of keypairs, users and resource policies, each row in the
 * original's field names. Filters are optional: a null argument matches every row.
 */
final class IdentityReads {

    /** A page of rows and how many matched in all. */
    record Page(List<Map<String, Object>> items, long total) {}

    private static final String KEYPAIRS = """
            SELECT k.access_key, k.secret_key, k.is_active, k.is_admin, k.resource_policy, k.rate_limit,
                   to_json(k.created_at) #>> '{}' AS created, to_json(k.modified_at) #>> '{}' AS modified,
                   u.id AS user_uuid, u.email, u.full_name, u.domain_name, p.max_concurrent_sessions, count(*) OVER () AS total
            FROM keypairs k JOIN users u ON u.id = k.user_id JOIN keypair_resource_policies p ON p.name = k.resource_policy
            WHERE ($1::text IS NULL OR k.access_key = $1) AND ($2::text IS NULL OR u.email = $2)
              AND ($3::text IS NULL OR u.domain_name = $3) AND ($4::boolean IS NULL OR k.is_active = $4)
            ORDER BY k.created_at, k.access_key LIMIT $5 OFFSET $6""";
    private static final String USERS = """
            SELECT u.id, u.username, u.email, u.full_name, u.domain_name, u.role, u.status, u.status_info,
                   to_json(u.created_at) #>> '{}' AS created, to_json(u.modified_at) #>> '{}' AS modified,
                   ARRAY(SELECT m.project_name FROM project_members m WHERE m.user_id = u.id ORDER BY m.project_name) AS projects
            FROM users u
            WHERE ($1::text IS NULL OR u.email = $1) AND ($2::uuid IS NULL OR u.id = $2) AND ($3::text IS NULL OR u.domain_name = $3)""";
    private static final String POLICIES = """
            SELECT name, total_resource_slots, default_for_unspecified, max_concurrent_sessions, max_containers_per_session,
                   idle_timeout, max_session_lifetime, to_json(created_at) #>> '{}' AS created
            FROM keypair_resource_policies WHERE ($1::text IS NULL OR name = $1) ORDER BY name""";

    private final Pool pool;

    IdentityReads(Pool pool) {
        this.pool = pool;
    }

    /** Keypairs matching every non-null filter, oldest first. */
    Future<Page> keypairs(String accessKey, String email, String domain, Boolean active, int limit, int offset) {
        return pool.preparedQuery(KEYPAIRS).execute(Tuple.of(accessKey, email, domain, active, limit, offset)).map(rows -> {
            List<Map<String, Object>> items = new ArrayList<>();
            long total = 0;
            for (Row row : rows) {
                items.add(keypair(row));
                total = row.getLong("total");
            }
            return new Page(items, total);
        });
    }

    Future<List<Map<String, Object>>> users(String email, UUID id, String domain) {
        return pool.preparedQuery(USERS).execute(Tuple.of(email, id, domain)).map(IdentityReads::users);
    }

    Future<List<Map<String, Object>>> policies(String name) {
        return pool.preparedQuery(POLICIES).execute(Tuple.of(name)).map(rows -> {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Row row : rows) out.add(policy(row));
            return out;
        });
    }

    private static Map<String, Object> keypair(Row row) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("access_key", row.getString("access_key"));
        out.put("secret_key", row.getString("secret_key"));
        out.put("is_active", row.getBoolean("is_active"));
        out.put("is_admin", row.getBoolean("is_admin"));
        // the original's keypair.user_id is its user's email; the user's id is "user"
        out.put("user_id", row.getString("email"));
        out.put("user", row.getUUID("user_uuid").toString());
        out.put("email", row.getString("email"));
        out.put("full_name", row.getString("full_name"));
        out.put("domain_name", row.getString("domain_name"));
        out.put("created_at", row.getString("created"));
        out.put("modified_at", row.getString("modified"));
        out.put("last_used", null);
        out.put("concurrency_limit", row.getInteger("max_concurrent_sessions"));
        out.put("rate_limit", row.getInteger("rate_limit"));
        out.put("num_queries", 0);
        out.put("resource_policy", row.getString("resource_policy"));
        out.put("ssh_public_key", null);
        return out;
    }

    private static List<Map<String, Object>> users(RowSet<Row> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row row : rows) {
            Map<String, Object> user = new LinkedHashMap<>();
            String id = row.getUUID("id").toString();
            user.put("id", id);
            user.put("uuid", id);
            user.put("username", row.getString("username"));
            user.put("email", row.getString("email"));
            user.put("need_password_change", false);
            user.put("full_name", row.getString("full_name"));
            user.put("description", "");
            user.put("is_active", "active".equals(row.getString("status")));
            user.put("status", row.getString("status"));
            user.put("status_info", row.getString("status_info"));
            user.put("created_at", row.getString("created"));
            user.put("modified_at", row.getString("modified"));
            user.put("domain_name", row.getString("domain_name"));
            user.put("role", row.getString("role"));
            user.put("groups", java.util.Arrays.stream(row.getArrayOfStrings("projects"))
                    .map(project -> Map.of("id", project, "name", project)).toList());
            user.put("allowed_client_ip", null);
            user.put("totp_activated", false);
            user.put("sudo_session_enabled", false);
            out.add(user);
        }
        return out;
    }

    private static Map<String, Object> policy(Row row) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", row.getString("name"));
        out.put("created_at", row.getString("created"));
        out.put("default_for_unspecified", row.getString("default_for_unspecified"));
        JsonObject slots = ResourceRoutes.shown(SlotMaps.of((JsonObject) row.getJson("total_resource_slots")));
        JsonObject strings = new JsonObject();
        slots.forEach(entry -> strings.put(entry.getKey(), String.valueOf(entry.getValue())));
        out.put("total_resource_slots", strings.encode());
        out.put("max_session_lifetime", row.getLong("max_session_lifetime").intValue());
        out.put("max_concurrent_sessions", row.getInteger("max_concurrent_sessions"));
        out.put("max_containers_per_session", row.getInteger("max_containers_per_session"));
        out.put("idle_timeout", row.getLong("idle_timeout").doubleValue());
        out.put("max_vfolder_count", 0);
        out.put("max_vfolder_size", 0.0);
        out.put("allowed_vfolder_hosts", "{}");
        out.put("max_pending_session_count", null);
        out.put("max_concurrent_sftp_sessions", 0);
        return out;
    }
}
