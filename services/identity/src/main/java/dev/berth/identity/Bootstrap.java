package dev.berth.identity;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First start: the default domain, project, keypair resource policy and scaling group, and a
 * superadmin whose keypair lands in {@code <state dir>/keypair.json}. Every later start changes
 * nothing but converges: a missing file is written from the database, a file whose keypair the
 * database lacks (a wiped database) is inserted again, and an existing file is never overwritten.
 *
 * <p>Each start also queues every keypair, policy, limit and scaling group in the outbox, so a
 * fresh Kafka cluster (or a new topic prefix) gets the whole configuration, not only later changes.
 */
public final class Bootstrap {

    public static final String DEFAULT = "default";
    public static final String ADMIN_EMAIL = "admin@berth.local";
    private static final Logger log = LoggerFactory.getLogger(Bootstrap.class);
    /** Serialises concurrent starts of several API instances on one database. */
    private static final long LOCK_ID = 0x6265727468L;

    /** The superadmin keypair and whether this start wrote the file. */
    public record Result(Keys.Keypair keypair, Path file, boolean fileWritten) {}

    private Bootstrap() {}

    public static Future<Result> run(Vertx vertx, Pool pool, Path stateDir) {
        Path file = KeypairFile.in(stateDir);
        return vertx.executeBlocking(() -> KeypairFile.read(file))
                .compose(onDisk -> pool.withTransaction(conn -> defaults(conn)
                        .compose(userId -> keypair(conn, userId, onDisk))
                        .compose(keypair -> resync(conn).map(keypair))))
                .compose(keypair -> vertx.executeBlocking(() -> {
                    boolean written = KeypairFile.writeIfAbsent(file, keypair, ADMIN_EMAIL);
                    if (written) log.info("bootstrap superadmin keypair {} written to {}", keypair.accessKey(), file);
                    return new Result(keypair, file, written);
                }));
    }

    /** The default rows, each only if absent; the superadmin's user id. */
    private static Future<UUID> defaults(SqlConnection conn) {
        return conn.query("SELECT pg_advisory_xact_lock(" + LOCK_ID + ")").execute()
                .compose(locked -> exec(conn, "INSERT INTO domains (name, description) VALUES ($1, 'created at bootstrap') ON CONFLICT DO NOTHING",
                        Tuple.of(DEFAULT)))
                .compose(done -> exec(conn, "INSERT INTO projects (name, domain_name, description) VALUES ($1, $1, 'created at bootstrap') ON CONFLICT DO NOTHING",
                        Tuple.of(DEFAULT)))
                .compose(done -> exec(conn, "INSERT INTO keypair_resource_policies (name) VALUES ($1) ON CONFLICT DO NOTHING",
                        Tuple.of(DEFAULT)))
                .compose(done -> exec(conn, "INSERT INTO scaling_groups (name, description) VALUES ($1, 'created at bootstrap') ON CONFLICT DO NOTHING",
                        Tuple.of(DEFAULT)))
                .compose(done -> exec(conn, "INSERT INTO scaling_groups_for_domains (scaling_group, domain_name) VALUES ($1, $1) ON CONFLICT DO NOTHING",
                        Tuple.of(DEFAULT)))
                .compose(done -> exec(conn, """
                        INSERT INTO users (id, email, username, full_name, domain_name, role)
                        VALUES ($1, $2, 'admin', 'Berth superadmin', $3, 'superadmin') ON CONFLICT DO NOTHING""",
                        Tuple.of(UUID.randomUUID(), ADMIN_EMAIL, DEFAULT)))
                .compose(done -> conn.preparedQuery("SELECT id FROM users WHERE email = $1").execute(Tuple.of(ADMIN_EMAIL)))
                .map(rows -> rows.iterator().next().getUUID("id"))
                .compose(userId -> exec(conn, "INSERT INTO project_members (project_name, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                        Tuple.of(DEFAULT, userId)).map(userId));
    }

    private static Future<Keys.Keypair> keypair(SqlConnection conn, UUID userId, Optional<Keys.Keypair> onDisk) {
        if (onDisk.isPresent()) {
            Keys.Keypair file = onDisk.get();
            return insertKeypair(conn, userId, file).map(file);
        }
        return conn.preparedQuery("""
                        SELECT access_key, secret_key FROM keypairs WHERE user_id = $1 AND is_active
                        ORDER BY created_at, access_key LIMIT 1""")
                .execute(Tuple.of(userId))
                .compose(rows -> {
                    if (rows.size() > 0) {
                        Row row = rows.iterator().next();
                        return Future.succeededFuture(new Keys.Keypair(row.getString("access_key"), row.getString("secret_key")));
                    }
                    Keys.Keypair fresh = Keys.generate();
                    return insertKeypair(conn, userId, fresh).map(fresh);
                });
    }

    private static Future<Void> insertKeypair(SqlConnection conn, UUID userId, Keys.Keypair keypair) {
        return exec(conn, """
                INSERT INTO keypairs (access_key, secret_key, user_id, is_admin, resource_policy)
                VALUES ($1, $2, $3, true, $4) ON CONFLICT (access_key) DO NOTHING""",
                Tuple.of(keypair.accessKey(), keypair.secretKey(), userId, DEFAULT));
    }

    /** Queues the current state of every config record the scheduler reads. */
    private static Future<Void> resync(SqlConnection conn) {
        List<ConfigChange> changes = new ArrayList<>();
        return collect(conn, "SELECT name FROM domains ORDER BY name", row -> new ConfigChange.DomainLimits(row.getString(0)), changes)
                .compose(done -> collect(conn, "SELECT name FROM projects ORDER BY name", row -> new ConfigChange.ProjectLimits(row.getString(0)), changes))
                .compose(done -> collect(conn, "SELECT id::text FROM users ORDER BY id", row -> new ConfigChange.UserLimits(row.getString(0)), changes))
                .compose(done -> collect(conn, "SELECT name FROM keypair_resource_policies ORDER BY name", row -> new ConfigChange.KeypairPolicy(row.getString(0)), changes))
                .compose(done -> collect(conn, "SELECT name FROM scaling_groups ORDER BY name", row -> new ConfigChange.ScalingGroup(row.getString(0)), changes))
                .compose(done -> collect(conn, "SELECT access_key FROM keypairs ORDER BY access_key", row -> new ConfigChange.Keypair(row.getString(0)), changes))
                .compose(done -> Outbox.record(conn, changes));
    }

    private static Future<Void> collect(SqlConnection conn, String sql, Function<Row, ConfigChange> change, List<ConfigChange> into) {
        return conn.query(sql).execute().map(rows -> {
            rows.forEach(row -> into.add(change.apply(row)));
            return null;
        });
    }

    private static Future<Void> exec(SqlConnection conn, String sql, Tuple args) {
        return conn.preparedQuery(sql).execute(args).mapEmpty();
    }
}
