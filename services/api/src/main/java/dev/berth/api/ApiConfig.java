package dev.berth.api;

import dev.berth.api.webhook.UrlPolicy;
import dev.berth.common.Env;
import dev.berth.identity.PgSettings;
import dev.berth.identity.RetentionParser;
import java.time.Duration;

/**
 * Settings of the HTTP API, read once at start.
 *
 * @param host        BERTH_API_HOST: the address to listen on
 * @param port        BERTH_API_PORT: the port to listen on; 0 picks a free one (tests)
 * @param pgHost      BERTH_PG_HOST: PostgreSQL, checked by /v1/health
 * @param pgPort      BERTH_PG_PORT
 * @param pgDatabase  BERTH_PG_DATABASE
 * @param pgUser      BERTH_PG_USER (no password: a local trust login)
 * @param pgSchema    BERTH_PG_SCHEMA: the schema Berth's tables live in (default public)
 * @param redisHost   BERTH_REDIS_HOST: Redis, checked by /v1/health
 * @param redisPort   BERTH_REDIS_PORT
 * @param etcdHost    BERTH_ETCD_HOST: etcd, checked by /v1/health
 * @param etcdPort    BERTH_ETCD_PORT
 * @param ackTimeout  BERTH_API_ACK_TIMEOUT: how long a write waits for Kafka's ack before answering 503
 * @param historyRetention BERTH_HISTORY_RETENTION: how long ended sessions stay in the read model (USG-06 forms: 30m, 6h, 3d, 2w, 3mo, 1yr; 90d)
 * @param historyInterval  BERTH_HISTORY_INTERVAL: time between two rounds of the retention job (1h)
 * @param eventsHeartbeat  BERTH_API_EVENTS_HEARTBEAT: time between two keep-alive comments on an event stream (15s)
 * @param eventsBuffer     BERTH_API_EVENTS_BUFFER: events an event stream holds for a slow client before it is closed (1000)
 * @param receiverUrls     BERTH_DEV_MODE and BERTH_WEBHOOK_DENY: which callbackUrl and webhook url a create accepts
 */
public record ApiConfig(String host, int port, String pgHost, int pgPort, String pgDatabase, String pgUser,
                        String pgSchema, String redisHost, int redisPort, String etcdHost, int etcdPort, Duration ackTimeout,
                        Duration historyRetention, Duration historyInterval, Duration eventsHeartbeat,
                        int eventsBuffer, UrlPolicy receiverUrls) {

    private static final String LOOPBACK = "127.0.0.1";

    public ApiConfig {
        if (ackTimeout.isNegative() || ackTimeout.isZero()) throw new IllegalArgumentException("BERTH_API_ACK_TIMEOUT must be positive");
        if (!historyInterval.isPositive()) throw new IllegalArgumentException("BERTH_HISTORY_INTERVAL must be positive");
        if (eventsHeartbeat.toMillis() < 1) throw new IllegalArgumentException("BERTH_API_EVENTS_HEARTBEAT must be at least 1ms");
        new PgSettings(pgHost, pgPort, pgDatabase, pgUser, pgSchema);
    }

    public static ApiConfig from(Env env) {
        return new ApiConfig(
                env.string("BERTH_API_HOST", LOOPBACK),
                env.integer("BERTH_API_PORT", 8080, 0, 65535),
                env.string("BERTH_PG_HOST", LOOPBACK),
                env.integer("BERTH_PG_PORT", 15432, 1, 65535),
                env.string("BERTH_PG_DATABASE", "berth"),
                env.string("BERTH_PG_USER", "postgres"),
                env.string("BERTH_PG_SCHEMA", "public"),
                env.string("BERTH_REDIS_HOST", LOOPBACK),
                env.integer("BERTH_REDIS_PORT", 16379, 1, 65535),
                env.string("BERTH_ETCD_HOST", LOOPBACK),
                env.integer("BERTH_ETCD_PORT", 12379, 1, 65535),
                env.duration("BERTH_API_ACK_TIMEOUT", Duration.ofSeconds(10)),
                retention(env.string("BERTH_HISTORY_RETENTION", "90d")),
                env.duration("BERTH_HISTORY_INTERVAL", Duration.ofHours(1)),
                env.duration("BERTH_API_EVENTS_HEARTBEAT", Duration.ofSeconds(15)),
                env.integer("BERTH_API_EVENTS_BUFFER", 1000, 1, 1_000_000),
                UrlPolicy.from(env));
    }

    private static Duration retention(String text) {
        try {
            return RetentionParser.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("BERTH_HISTORY_RETENTION: " + e.getMessage(), e);
        }
    }

    public PgSettings pg() {
        return new PgSettings(pgHost, pgPort, pgDatabase, pgUser, pgSchema);
    }
}
