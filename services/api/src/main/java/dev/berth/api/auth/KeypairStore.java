package dev.berth.api.auth;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Optional;

/** Reads keypairs with their users for authentication. */
public final class KeypairStore {

    /** A keypair as the authenticator needs it. */
    public record Credential(Principal principal, String secretKey, boolean active) {}

    private static final String BY_ACCESS_KEY = """
            SELECT k.access_key, k.secret_key, k.is_active AND u.status = 'active' AND d.is_active AS active, k.rate_limit,
                   k.resource_policy, u.id, u.email, u.domain_name, u.role
            FROM keypairs k JOIN users u ON u.id = k.user_id JOIN domains d ON d.name = u.domain_name
            WHERE k.access_key = $1""";

    private final Pool pool;

    public KeypairStore(Pool pool) {
        this.pool = pool;
    }

    public Future<Optional<Credential>> find(String accessKey) {
        return pool.preparedQuery(BY_ACCESS_KEY).execute(Tuple.of(accessKey))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(credential(rows.iterator().next())));
    }

    private static Credential credential(Row row) {
        Principal principal = new Principal(row.getString("access_key"), row.getUUID("id").toString(), row.getString("email"),
                row.getString("domain_name"), Role.of(row.getString("role")), row.getString("resource_policy"), row.getInteger("rate_limit"));
        return new Credential(principal, row.getString("secret_key"), row.getBoolean("active"));
    }
}
