package dev.berth.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Cells;
import dev.berth.cli.Table;
import java.util.List;

/**
 * The admin API's entities ({@code /v1/admin/<path>}, docs/api-auth.md) and the columns their lists
 * show; every field is still in {@code get} and in --json.
 */
enum AdminEntity {
    DOMAINS("domains",
            column("NAME", "name"), column("ACTIVE", "isActive"), column("SLOTS", "totalResourceSlots"), column("DESCRIPTION", "description")),
    PROJECTS("projects",
            column("NAME", "name"), column("DOMAIN", "domain"), column("ACTIVE", "isActive"), column("SLOTS", "totalResourceSlots"),
            column("DESCRIPTION", "description")),
    USERS("users",
            column("ID", "id"), column("EMAIL", "email"), column("USERNAME", "username"), column("DOMAIN", "domain"),
            column("ROLE", "role"), column("STATUS", "status")),
    KEYPAIRS("keypairs",
            column("ACCESS KEY", "accessKey"), column("USER", "userId"), column("ACTIVE", "isActive"), column("ADMIN", "isAdmin"),
            column("POLICY", "resourcePolicy"), column("RATE LIMIT", "rateLimit")),
    RESOURCE_POLICIES("resource-policies",
            column("NAME", "name"), column("SLOTS", "totalResourceSlots"), column("SESSIONS", "maxConcurrentSessions"),
            column("CONTAINERS", "maxContainersPerSession"), column("IDLE TIMEOUT", "idleTimeout"),
            column("MAX LIFETIME", "maxSessionLifetime")),
    SCALING_GROUPS("scaling-groups",
            column("NAME", "name"), column("ACTIVE", "isActive"), column("PUBLIC", "isPublic"), column("SCHEDULER", "scheduler"),
            column("DESCRIPTION", "description")),
    RESOURCE_PRESETS("resource-presets",
            column("NAME", "name"), column("SLOTS", "resourceSlots"), column("SHARED MEMORY", "sharedMemory")),
    IMAGES("images",
            column("REF", "ref"), column("ARCHITECTURES", "architectures"), column("ACTIVE", "isActive"),
            column("MIN RESOURCES", "minResources"));

    /** A list column: its header and the JSON field it shows. */
    record Column(String header, String field) {}

    private final String path;
    private final List<Column> columns;

    AdminEntity(String path, Column... columns) {
        this.path = path;
        this.columns = List.of(columns);
    }

    String path() {
        return path;
    }

    String base() {
        return "/v1/admin/" + path;
    }

    /** A list page's items under this entity's columns. */
    Table table(JsonNode items) {
        Table table = Table.of(columns.stream().map(Column::header).toArray(String[]::new));
        for (JsonNode item : items) table.row(columns.stream().map(column -> Cells.text(item.path(column.field()))).toList());
        return table;
    }

    private static Column column(String header, String field) {
        return new Column(header, field);
    }
}
