package dev.berth.faults;

import dev.berth.identity.PgSettings;
import java.util.Map;

/**
 * The settings that point a child at the project's shared servers. A child starts with no BERTH_*
 * variable of the test's own environment, so whatever it needs is passed on here, explicitly.
 */
final class FaultEnv {

    private FaultEnv() {}

    static Map<String, String> postgres(PgSettings pg) {
        return Map.of("BERTH_PG_HOST", pg.host(), "BERTH_PG_PORT", Integer.toString(pg.port()), "BERTH_PG_DATABASE", pg.database(),
                "BERTH_PG_USER", pg.user(), "BERTH_PG_SCHEMA", pg.schema(),
                "BERTH_REDIS_PORT", sharedRedisPort(), "BERTH_ETCD_PORT", sharedEtcdPort());
    }

    static String sharedRedisPort() {
        return System.getenv().getOrDefault("BERTH_REDIS_PORT", "16379");
    }

    static String sharedEtcdPort() {
        return System.getenv().getOrDefault("BERTH_ETCD_PORT", "12379");
    }
}
