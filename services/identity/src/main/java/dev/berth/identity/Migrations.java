package dev.berth.identity;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Brings the schema to the newest version with Flyway (classpath {@code db/migration}). Blocking
 * JDBC, run once at start before any pool is used; Flyway's own lock makes concurrent starts safe.
 */
public final class Migrations {

    private Migrations() {}

    /** Migrates, creating the schema if needed; returns how many migrations ran. */
    public static int migrate(PgSettings pg) {
        MigrateResult result = Flyway.configure()
                .dataSource(pg.jdbcUrl(), pg.user(), "")
                .schemas(pg.schema())
                .defaultSchema(pg.schema())
                .createSchemas(true)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        return result.migrationsExecuted;
    }
}
