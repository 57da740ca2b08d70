package dev.berth.identity;

import dev.berth.common.Env;
import io.vertx.core.Future;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** A fresh schema per test class on the project's PostgreSQL, so test classes never share rows. */
public final class TestDatabases {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private TestDatabases() {}

    public static PgSettings freshSchema() {
        Env env = Env.system();
        return new PgSettings(env.string("BERTH_PG_HOST", "127.0.0.1"), env.integer("BERTH_PG_PORT", 15432, 1, 65535),
                env.string("BERTH_PG_DATABASE", "berth"), env.string("BERTH_PG_USER", "postgres"),
                "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16));
    }

    public static void drop(PgSettings pg) throws SQLException {
        try (Connection conn = jdbc(pg); Statement statement = conn.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + pg.schema() + " CASCADE");
        }
    }

    /** A plain JDBC connection for test assertions (the code under test uses vertx-pg-client). */
    public static Connection jdbc(PgSettings pg) throws SQLException {
        return DriverManager.getConnection(pg.jdbcUrl(), pg.user(), "");
    }

    public static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }
}
