package dev.berth.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The schema from empty, on the real PostgreSQL. */
class MigrationsIT {

    private static final PgSettings PG = TestDatabases.freshSchema();
    private static int executed;

    @BeforeAll
    static void migrate() {
        executed = Migrations.migrate(PG);
    }

    @AfterAll
    static void drop() throws SQLException {
        TestDatabases.drop(PG);
    }

    @Test
    @DisplayName("OPS-04 migrations run from an empty schema and create every table; a second run does nothing")
    void fromEmpty() throws SQLException {
        assertEquals(5, executed);
        Set<String> tables = new HashSet<>();
        try (Connection conn = TestDatabases.jdbc(PG);
             ResultSet rows = conn.getMetaData().getTables(null, PG.schema(), "%", new String[] {"TABLE"})) {
            while (rows.next()) tables.add(rows.getString("TABLE_NAME"));
        }
        for (String table : new String[] {"domains", "projects", "users", "project_members", "keypairs", "keypair_resource_policies",
                "scaling_groups", "scaling_groups_for_domains", "scaling_groups_for_projects", "scaling_groups_for_keypairs",
                "resource_presets", "images", "outbox", "sessions", "session_dependencies", "usage_totals",
                "webhook_subscriptions", "webhook_deliveries", "leader_fences"}) {
            assertTrue(tables.contains(table), table + " missing from " + tables);
        }
        assertEquals(0, Migrations.migrate(PG));
    }

    @Test
    @DisplayName("RES-07 a scaling group must allow at least one known session type and a non-negative pending timeout")
    void schedulerOptsChecked() throws SQLException {
        try (Connection conn = TestDatabases.jdbc(PG); Statement sql = conn.createStatement()) {
            sql.execute("INSERT INTO scaling_groups (name) VALUES ('sg-defaults')");
            try (ResultSet row = sql.executeQuery("SELECT scheduler_opts->'allowed_session_types' FROM scaling_groups WHERE name = 'sg-defaults'")) {
                row.next();
                assertEquals("[\"interactive\", \"batch\", \"inference\"]", row.getString(1));
            }
            for (String opts : new String[] {
                    "{\"allowed_session_types\": [], \"pending_timeout\": 0, \"config\": {}}",
                    "{\"allowed_session_types\": [\"sleepy\"], \"pending_timeout\": 0, \"config\": {}}",
                    "{\"allowed_session_types\": [\"batch\"], \"pending_timeout\": -1, \"config\": {}}"}) {
                assertThrows(SQLException.class, () -> sql.execute(
                        "INSERT INTO scaling_groups (name, scheduler_opts) VALUES ('sg-bad', '" + opts + "')"), opts);
            }
        }
    }

    @Test
    @DisplayName("AUTH-01 a keypair needs an existing user and policy, and a positive rate limit")
    void keypairReferences() throws SQLException {
        try (Connection conn = TestDatabases.jdbc(PG); Statement sql = conn.createStatement()) {
            sql.execute("INSERT INTO domains (name) VALUES ('d1')");
            sql.execute("INSERT INTO keypair_resource_policies (name) VALUES ('p1')");
            sql.execute("INSERT INTO users (id, email, username, domain_name) VALUES ('00000000-0000-0000-0000-000000000001', 'a@x.org', 'a', 'd1')");
            sql.execute("INSERT INTO keypairs (access_key, secret_key, user_id, resource_policy) VALUES ('AKIAOK000001', 's', '00000000-0000-0000-0000-000000000001', 'p1')");
            assertThrows(SQLException.class, () -> sql.execute("INSERT INTO keypairs (access_key, secret_key, user_id, resource_policy) "
                    + "VALUES ('AKIAOK000002', 's', '00000000-0000-0000-0000-000000000001', 'nope')"));
            assertThrows(SQLException.class, () -> sql.execute("INSERT INTO keypairs (access_key, secret_key, user_id, resource_policy, rate_limit) "
                    + "VALUES ('AKIAOK000003', 's', '00000000-0000-0000-0000-000000000001', 'p1', 0)"));
        }
    }
}
