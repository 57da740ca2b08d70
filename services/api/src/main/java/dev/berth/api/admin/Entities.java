package dev.berth.api.admin;

import dev.berth.identity.ConfigChange;
import dev.berth.identity.Keys;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/** The admin API's entities (ADM-03/07, AUTH-01/06/08, RES-03/06/07/11). */
final class Entities {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final String NAME_SHAPE = "1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit";
    private static final FieldType.Text NAME_TEXT = new FieldType.Text(64, NAME, NAME_SHAPE);
    private static final FieldType.Text EMAIL = new FieldType.Text(254, Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+"), "an email address");
    private static final FieldType.Text DESCRIPTION = FieldType.Text.any(1000);
    private static final FieldType BOOL = new FieldType.Bool();
    private static final FieldType SLOTS = new FieldType.SlotMap();
    private static final FieldType UUID_TYPE = new FieldType.Uuid();
    private static final FieldType.Text TIME = FieldType.Text.any(64);
    private static final Field CREATED = Field.shown("createdAt", "created_at_text", TIME);
    private static final Field MODIFIED = Field.shown("modifiedAt", "modified_at_text", TIME);

    private Entities() {}

    static final Entity DOMAINS = new Entity("domains", "domain", "domains",
            Field.key("name", "name", NAME_TEXT),
            List.of(Field.key("name", "name", NAME_TEXT), Field.optional("description", "description", DESCRIPTION),
                    Field.optional("isActive", "is_active", BOOL).asFilter(), Field.optional("totalResourceSlots", "total_resource_slots", SLOTS),
                    CREATED, MODIFIED),
            "name", null, false, "is_active = false", Map::of,
            row -> List.of(new ConfigChange.DomainLimits(row.getString("name"))));

    static final Entity PROJECTS = new Entity("projects", "project", "projects",
            Field.key("name", "name", NAME_TEXT),
            List.of(Field.key("name", "name", NAME_TEXT), Field.required("domain", "domain_name", NAME_TEXT).fixed().asFilter(),
                    Field.optional("description", "description", DESCRIPTION), Field.optional("isActive", "is_active", BOOL).asFilter(),
                    Field.optional("totalResourceSlots", "total_resource_slots", SLOTS), CREATED, MODIFIED),
            "domain_name", null, true, "is_active = false", Map::of,
            row -> List.of(new ConfigChange.ProjectLimits(row.getString("name"))));

    static final Entity USERS = new Entity("users", "user", "users",
            Field.shown("id", "id", UUID_TYPE),
            List.of(Field.shown("id", "id", UUID_TYPE), Field.required("email", "email", EMAIL).asFilter(),
                    Field.required("username", "username", NAME_TEXT).asFilter(), Field.optional("fullName", "full_name", DESCRIPTION),
                    Field.required("domain", "domain_name", NAME_TEXT).asFilter(),
                    Field.optional("role", "role", new FieldType.Choice(List.of("superadmin", "admin", "user", "monitor"), false)).asFilter(),
                    Field.optional("status", "status", new FieldType.Choice(List.of("active", "inactive", "deleted"), false)).asFilter(),
                    Field.shown("statusInfo", "status_info", DESCRIPTION),
                    Field.optional("totalResourceSlots", "total_resource_slots", SLOTS), CREATED, MODIFIED),
            "domain_name", "role = 'superadmin'", true, "status = 'inactive', status_info = 'admin-requested'",
            () -> Map.of("id", UUID.randomUUID()),
            row -> List.of(new ConfigChange.UserLimits(row.getUUID("id").toString())));

    static final Entity KEYPAIRS = new Entity("keypairs", "keypair", "keypairs",
            Field.shown("accessKey", "access_key", FieldType.Text.any(64)),
            List.of(Field.shown("accessKey", "access_key", FieldType.Text.any(64)),
                    Field.required("userId", "user_id", UUID_TYPE).fixed().asFilter(),
                    Field.optional("isActive", "is_active", BOOL).asFilter(), Field.optional("isAdmin", "is_admin", BOOL),
                    Field.required("resourcePolicy", "resource_policy", NAME_TEXT).asFilter(),
                    Field.optional("rateLimit", "rate_limit", new FieldType.Whole(1, 1_000_000_000, false)),
                    // below the 64 KiB body limit, so that a script too long is named rather than the whole body refused
                    Field.optional("bootstrapScript", "bootstrap_script", FieldType.Text.any(32 * 1024)), CREATED, MODIFIED),
            "(SELECT u.domain_name FROM users u WHERE u.id = keypairs.user_id)",
            "(SELECT u.role FROM users u WHERE u.id = keypairs.user_id) = 'superadmin'", true, "is_active = false",
            () -> {
                Keys.Keypair fresh = Keys.generate();
                return Map.of("access_key", fresh.accessKey(), "secret_key", fresh.secretKey());
            },
            row -> List.of(new ConfigChange.Keypair(row.getString("access_key"))));

    static final Entity RESOURCE_POLICIES = new Entity("resource-policies", "keypair resource policy", "keypair_resource_policies",
            Field.key("name", "name", NAME_TEXT),
            List.of(Field.key("name", "name", NAME_TEXT), Field.optional("totalResourceSlots", "total_resource_slots", SLOTS),
                    Field.optional("defaultForUnspecified", "default_for_unspecified", new FieldType.Choice(List.of("limited", "unlimited"), true)),
                    Field.optional("maxConcurrentSessions", "max_concurrent_sessions", new FieldType.Whole(0, 1_000_000, false)),
                    Field.optional("maxContainersPerSession", "max_containers_per_session", new FieldType.Whole(0, 1_000_000, false)),
                    Field.optional("idleTimeout", "idle_timeout", new FieldType.Whole(0, Long.MAX_VALUE, true)),
                    Field.optional("maxSessionLifetime", "max_session_lifetime", new FieldType.Whole(0, Long.MAX_VALUE, true)),
                    CREATED, MODIFIED),
            null, null, false, null, Map::of,
            row -> List.of(new ConfigChange.KeypairPolicy(row.getString("name"))));

    static final Entity SCALING_GROUPS = new Entity("scaling-groups", "scaling group", "scaling_groups",
            Field.key("name", "name", NAME_TEXT),
            List.of(Field.key("name", "name", NAME_TEXT), Field.optional("description", "description", DESCRIPTION),
                    Field.optional("isActive", "is_active", BOOL).asFilter(), Field.optional("isPublic", "is_public", BOOL).asFilter(),
                    Field.optional("scheduler", "scheduler", new FieldType.Choice(List.of("fifo", "lifo", "drf", "mof"), false)).asFilter(),
                    Field.optional("schedulerOpts", "scheduler_opts", new FieldType.SchedulerOpts()),
                    Field.optional("useHostNetwork", "use_host_network", BOOL), CREATED, MODIFIED),
            null, null, false, "is_active = false", Map::of,
            row -> List.of(new ConfigChange.ScalingGroup(row.getString("name"))));

    static final Entity RESOURCE_PRESETS = new Entity("resource-presets", "resource preset", "resource_presets",
            Field.key("name", "name", NAME_TEXT),
            List.of(Field.key("name", "name", NAME_TEXT), Field.required("resourceSlots", "resource_slots", SLOTS),
                    Field.optional("sharedMemory", "shared_memory", new FieldType.Bytes()), CREATED, MODIFIED),
            null, null, false, null, Map::of, row -> List.of());

    static final Entity IMAGES = new Entity("images", "image", "images",
            Field.shown("ref", "ref", FieldType.Text.any(400)),
            List.of(Field.shown("ref", "ref", FieldType.Text.any(400)),
                    Field.required("name", "name", new FieldType.Text(255, Pattern.compile("[a-z0-9][a-z0-9._/-]*"), "a lower-case image name")).fixed().asFilter(),
                    Field.required("tag", "tag", new FieldType.Text(128, Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*"), "an image tag")).fixed(),
                    Field.optional("architectures", "architectures", new FieldType.Words(8)),
                    Field.optional("labels", "labels", new FieldType.StringMap(64, 255, 1000)),
                    Field.optional("minResources", "min_resources", SLOTS),
                    Field.optional("isActive", "is_active", BOOL).asFilter(), CREATED, MODIFIED),
            null, null, false, "is_active = false", Map::of, row -> List.of());

    static final List<Entity> ALL = List.of(DOMAINS, PROJECTS, USERS, KEYPAIRS, RESOURCE_POLICIES, SCALING_GROUPS, RESOURCE_PRESETS, IMAGES);
}
