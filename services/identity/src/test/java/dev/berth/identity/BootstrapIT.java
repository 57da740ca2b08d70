package dev.berth.identity;

import static dev.berth.identity.TestDatabases.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootstrapIT {

    private PgSettings pg;
    private Vertx vertx;
    private Pool pool;
    @TempDir Path stateDir;

    @BeforeEach
    void start() {
        pg = TestDatabases.freshSchema();
        Migrations.migrate(pg);
        vertx = Vertx.vertx();
        pool = pg.pool(vertx, 2);
    }

    @AfterEach
    void stop() throws Exception {
        await(pool.close());
        await(vertx.close());
        TestDatabases.drop(pg);
    }

    @Test
    @DisplayName("AUTH-07 the first start creates the defaults and a superadmin keypair, written to keypair.json")
    void firstStart() throws Exception {
        Bootstrap.Result result = await(Bootstrap.run(vertx, pool, stateDir));

        assertTrue(result.fileWritten());
        assertEquals(result.keypair(), KeypairFile.read(stateDir.resolve("keypair.json")).orElseThrow());
        try (Connection conn = TestDatabases.jdbc(pg); Statement sql = conn.createStatement()) {
            assertEquals("superadmin", one(sql, "SELECT u.role FROM keypairs k JOIN users u ON u.id = k.user_id WHERE k.access_key = '"
                    + result.keypair().accessKey() + "'"));
            assertEquals("default", one(sql, "SELECT name FROM domains"));
            assertEquals("default", one(sql, "SELECT name FROM projects"));
            assertEquals("default", one(sql, "SELECT name FROM keypair_resource_policies"));
            assertEquals("default", one(sql, "SELECT domain_name FROM scaling_groups_for_domains WHERE scaling_group = 'default'"));
            // the defaults are queued for the scheduler: domain, project, user, policy, scaling group, keypair
            assertEquals("6", one(sql, "SELECT count(*) FROM outbox WHERE sent_at IS NULL"));
        }
    }

    @Test
    @DisplayName("a later start never overwrites keypair.json, writes it again from the database when it is gone, and adds nothing")
    void laterStarts() throws Exception {
        Bootstrap.Result first = await(Bootstrap.run(vertx, pool, stateDir));
        Path file = stateDir.resolve("keypair.json");
        String written = Files.readString(file);

        Bootstrap.Result second = await(Bootstrap.run(vertx, pool, stateDir));
        assertFalse(second.fileWritten());
        assertEquals(written, Files.readString(file));

        Files.delete(file);
        Bootstrap.Result third = await(Bootstrap.run(vertx, pool, stateDir));
        assertTrue(third.fileWritten());
        assertEquals(first.keypair(), third.keypair());
        try (Connection conn = TestDatabases.jdbc(pg); Statement sql = conn.createStatement()) {
            assertEquals("1", one(sql, "SELECT count(*) FROM keypairs"));
            assertEquals("1", one(sql, "SELECT count(*) FROM users"));
        }
    }

    @Test
    @DisplayName("a keypair.json the database does not know (a wiped database) is inserted, so the file keeps working")
    void fileSurvivesWipedDatabase() throws Exception {
        Keys.Keypair kept = Keys.generate();
        KeypairFile.writeIfAbsent(stateDir.resolve("keypair.json"), kept, "someone");

        Bootstrap.Result result = await(Bootstrap.run(vertx, pool, stateDir));

        assertEquals(kept, result.keypair());
        try (Connection conn = TestDatabases.jdbc(pg); Statement sql = conn.createStatement()) {
            assertEquals(kept.secretKey(), one(sql, "SELECT secret_key FROM keypairs WHERE access_key = '" + kept.accessKey() + "'"));
        }
    }

    private static String one(Statement sql, String query) throws Exception {
        try (ResultSet rows = sql.executeQuery(query)) {
            assertTrue(rows.next(), query);
            return rows.getString(1);
        }
    }
}
