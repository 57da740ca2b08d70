package dev.berth.identity;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where Berth's PostgreSQL lives. {@code schema} is the schema every table is in; tests give each
 * class a fresh one so they never see each other's rows.
 *
 * @param host     BERTH_PG_HOST
 * @param port     BERTH_PG_PORT
 * @param database BERTH_PG_DATABASE
 * @param user     BERTH_PG_USER (no password: a local trust login)
 * @param schema   BERTH_PG_SCHEMA (default public)
 */
public record PgSettings(String host, int port, String database, String user, String schema) {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    public PgSettings {
        if (!IDENTIFIER.matcher(schema).matches()) {
            throw new IllegalArgumentException("BERTH_PG_SCHEMA must be a lower-case SQL identifier, got \"" + schema + "\"");
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database + "?currentSchema=" + schema;
    }

    public PgConnectOptions connectOptions() {
        return new PgConnectOptions()
                .setHost(host)
                .setPort(port)
                .setDatabase(database)
                .setUser(user)
                .setProperties(Map.of("search_path", schema, "application_name", "berth"));
    }

    /** A non-blocking pool; queries are prepared once per connection and cached. */
    public Pool pool(Vertx vertx, int maxSize) {
        return PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(maxSize))
                .connectingTo(connectOptions().setCachePreparedStatements(true))
                .using(vertx)
                .build();
    }
}
