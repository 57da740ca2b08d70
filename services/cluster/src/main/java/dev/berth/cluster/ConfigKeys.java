package dev.berth.cluster;

import dev.berth.topology.idle.IdleSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Every key of the shared configuration, in one place: its type, default, doc, whether it applies
 * live, and the BERTH_* variable that seeds it. docs/configuration.md lists the same keys; the
 * constraints between keys ({@link #CONSTRAINTS}) are checked on every write and every change seen
 * in etcd.
 */
public final class ConfigKeys {

    private ConfigKeys() {}

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})|\\[[0-9A-Fa-f:]+]");
    private static final Pattern BOOTSTRAP = Pattern.compile("|[A-Za-z0-9.\\-\\[\\]:]+:\\d{1,5}(,[A-Za-z0-9.\\-\\[\\]:]+:\\d{1,5})*");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}");
    private static final ValueType<String> HOST_TYPE = ValueType.text(255, HOST, "a host name or IP address");
    private static final ValueType<Integer> PORT = ValueType.integer(1, 65535);
    private static final ValueType<String> POLICY = ValueType.oneOf(List.of("fifo", "lifo", "drf", "mof"));
    private static final ValueType<Duration> NON_NEGATIVE = ValueType.duration(Duration.ZERO);
    private static final ValueType<Duration> POSITIVE = ValueType.duration(Duration.ofMillis(1));

    // ---- addresses: clients are built once at start, so these apply at the next start ----

    public static final ConfigKey<String> KAFKA_BOOTSTRAP = restart("kafka.bootstrap",
            ValueType.text(2048, BOOTSTRAP, "host:port pairs separated by commas, or empty"), "",
            "The Kafka cluster, as host:port pairs; empty: berth up starts an embedded broker.", "BERTH_KAFKA_BOOTSTRAP");
    public static final ConfigKey<String> POSTGRES_HOST = restart("postgres.host", HOST_TYPE, "127.0.0.1",
            "PostgreSQL's host.", "BERTH_PG_HOST");
    public static final ConfigKey<Integer> POSTGRES_PORT = restart("postgres.port", PORT, 15432, "PostgreSQL's port.", "BERTH_PG_PORT");
    public static final ConfigKey<String> POSTGRES_DATABASE = restart("postgres.database",
            ValueType.text(63, NAME, "a database name"), "berth", "The PostgreSQL database Berth's tables live in.", "BERTH_PG_DATABASE");
    public static final ConfigKey<String> POSTGRES_USER = restart("postgres.user",
            ValueType.text(63, NAME, "a user name"), "postgres", "The PostgreSQL user (a trust login, no password).", "BERTH_PG_USER");
    public static final ConfigKey<String> REDIS_HOST = restart("redis.host", HOST_TYPE, "127.0.0.1",
            "Redis' host (rate limits, logs, idle reports).", "BERTH_REDIS_HOST");
    public static final ConfigKey<Integer> REDIS_PORT = restart("redis.port", PORT, 16379, "Redis' port.", "BERTH_REDIS_PORT");

    // ---- placement: the cluster-wide defaults of every scaling group, and per group ----

    public static final ConfigKey<String> SCHEDULER_POLICY = live("scheduler.policy", POLICY, "fifo",
            "How each scaling group's queue is placed: fifo, lifo, drf or mof (ALG-01).", "BERTH_SCHEDULER");
    public static final ConfigKey<Integer> SCHEDULER_SKIP = live("scheduler.num-retries-to-skip", ValueType.integer(0, 1_000_000), 0,
            "FIFO only: a session that failed this many passes lets later ones go first; 0 is strict FIFO (ALG-03).",
            "BERTH_NUM_RETRIES_TO_SKIP");
    public static final ConfigKey<Boolean> SCHEDULER_CONTINUE = live("scheduler.continue", ValueType.bool(), false,
            "true lets a pass go on past a session that does not fit (AMB-05); false ends it there (SCH-16).",
            "BERTH_SCHEDULER_CONTINUE");
    public static final ConfigKey<Duration> SCHEDULER_PENDING_TIMEOUT = live("scheduler.pending-timeout", NON_NEGATIVE, Duration.ZERO,
            "A session pending this long from its creation is cancelled with pending-timeout; 0 never (SCH-03).",
            "BERTH_PENDING_TIMEOUT");
    public static final ConfigKey<Duration> AGENT_STALE_AFTER = live("scheduler.agent-stale-after", POSITIVE, Duration.ofSeconds(40),
            "An agent whose last heartbeat is older than this gets no new work (AGT-03).", "BERTH_AGENT_STALE_AFTER");
    public static final ConfigKey<Duration> AGENT_LOST_AFTER = live("scheduler.agent-lost-after", POSITIVE, Duration.ofMinutes(2),
            "An agent silent this long is lost: its sessions end in ERROR or are queued again; at least agent-stale-after.",
            "BERTH_AGENT_LOST_AFTER");
    public static final ConfigKey<String> GROUP_POLICY = family("scheduler.group.*.policy", POLICY,
            "The scaling group's policy; wins over the group's scheduler column and scheduler.policy.");
    public static final ConfigKey<Integer> GROUP_SKIP = family("scheduler.group.*.num-retries-to-skip", ValueType.integer(0, 1_000_000),
            "The scaling group's num_retries_to_skip (its policy must be fifo).");
    public static final ConfigKey<Boolean> GROUP_CONTINUE = family("scheduler.group.*.continue", ValueType.bool(),
            "The scaling group's continue-after-unplaceable.");
    public static final ConfigKey<Duration> GROUP_PENDING_TIMEOUT = family("scheduler.group.*.pending-timeout", NON_NEGATIVE,
            "The scaling group's pending timeout.");

    // ---- idle checks (IDL-04/05/10/12/21): the keys BERTH_IDLE takes, with their idle. prefix ----

    public static final ConfigKey<String> IDLE_ENABLED = idle("idle.enabled", "",
            "The idle checkers that run, comma-separated: network_timeout, utilization; session_lifetime always does.");
    public static final ConfigKey<String> IDLE_NETWORK_TIMEOUT = idle("idle.network_timeout.threshold", "10m",
            "network_timeout's threshold where the keypair policy leaves it undefined (IDL-10).");
    public static final ConfigKey<String> IDLE_TIME_WINDOW = idle("idle.utilization.time-window", "10m",
            "The window utilization is averaged over (IDL-13).");
    public static final ConfigKey<String> IDLE_INITIAL_GRACE = idle("idle.utilization.initial-grace-period", "5m",
            "How long after its creation a session's utilization is not sampled (IDL-15).");
    public static final ConfigKey<String> IDLE_OPERATOR = idle("idle.utilization.thresholds-check-operator", "and",
            "and: a session ends when every metric is under its threshold; or: when any one is (IDL-19).");
    public static final ConfigKey<String> IDLE_EXCLUDED = idle("idle.utilization.excluded-session-types", "",
            "Session types the utilization checker never ends, comma-separated: interactive, batch, inference.");
    public static final ConfigKey<String> IDLE_THRESHOLD = new ConfigKey<>("idle.utilization.resource-thresholds.*",
            idleOption("idle.utilization.resource-thresholds.*"), Optional.empty(),
            "The average percent under which the metric (cpu_util, mem, cuda_util, cuda_mem, atom_mem) counts as idle.",
            Applies.LIVE, Optional.empty());
    public static final ConfigKey<Duration> IDLE_USER_GRACE = restart("idle.user-grace-period", idleDuration(), Duration.ZERO,
            "How long after a user is first seen their sessions are not ended (IDL-21); 0 none. Shapes the topology.",
            "BERTH_IDLE_USER_GRACE");
    public static final ConfigKey<Duration> IDLE_CHECK_INTERVAL = restart("idle.check-interval", POSITIVE, Duration.ofSeconds(1),
            "How often every live session is checked against the clock.", "BERTH_IDLE_CHECK_INTERVAL");

    // ---- webhook deliveries ----

    public static final ConfigKey<Duration> WEBHOOK_TIMEOUT = live("webhook.timeout", POSITIVE, Duration.ofSeconds(5),
            "How long one POST may take, from connecting to the answer's last byte.", "BERTH_WEBHOOK_TIMEOUT");
    public static final ConfigKey<Integer> WEBHOOK_ATTEMPTS = live("webhook.attempts", ValueType.integer(1, 100), 6,
            "Tries per delivery before it is dead-lettered.", "BERTH_WEBHOOK_ATTEMPTS");
    public static final ConfigKey<Duration> WEBHOOK_BACKOFF = live("webhook.backoff", POSITIVE, Duration.ofSeconds(1),
            "The wait after the first failed try, doubled after each further one.", "BERTH_WEBHOOK_BACKOFF");
    public static final ConfigKey<Duration> WEBHOOK_BACKOFF_MAX = live("webhook.backoff-max", POSITIVE, Duration.ofMinutes(5),
            "The longest wait between two tries; at least webhook.backoff.", "BERTH_WEBHOOK_BACKOFF_MAX");
    public static final ConfigKey<Integer> WEBHOOK_CONCURRENCY = live("webhook.concurrency", ValueType.integer(1, 256), 4,
            "POSTs in flight at once per receiver, each of another session.", "BERTH_WEBHOOK_CONCURRENCY");
    public static final ConfigKey<Duration> WEBHOOK_POLL = restart("webhook.poll", POSITIVE, Duration.ofSeconds(1),
            "How often the workers look for due deliveries when nothing told them.", "BERTH_WEBHOOK_POLL");

    // ---- API rate limits (AUTH-12) ----

    public static final ConfigKey<Duration> RATE_WINDOW = live("api.rate-window", POSITIVE, Duration.ofMinutes(15),
            "The sliding window a keypair's rate_limit counts requests in.", "BERTH_API_RATE_WINDOW");
    public static final ConfigKey<Integer> RATE_LIMIT_DEFAULT = new ConfigKey<>("api.rate-limit.default", ValueType.integer(1, 1_000_000_000),
            Optional.of(10_000), "The rate_limit a keypair created without one gets.", Applies.LIVE, Optional.empty());

    public static final List<ConfigKey<?>> ALL = List.of(
            KAFKA_BOOTSTRAP, POSTGRES_HOST, POSTGRES_PORT, POSTGRES_DATABASE, POSTGRES_USER, REDIS_HOST, REDIS_PORT,
            SCHEDULER_POLICY, SCHEDULER_SKIP, SCHEDULER_CONTINUE, SCHEDULER_PENDING_TIMEOUT, AGENT_STALE_AFTER, AGENT_LOST_AFTER,
            GROUP_POLICY, GROUP_SKIP, GROUP_CONTINUE, GROUP_PENDING_TIMEOUT,
            IDLE_ENABLED, IDLE_NETWORK_TIMEOUT, IDLE_TIME_WINDOW, IDLE_INITIAL_GRACE, IDLE_OPERATOR, IDLE_EXCLUDED, IDLE_THRESHOLD,
            IDLE_USER_GRACE, IDLE_CHECK_INTERVAL,
            WEBHOOK_TIMEOUT, WEBHOOK_ATTEMPTS, WEBHOOK_BACKOFF, WEBHOOK_BACKOFF_MAX, WEBHOOK_CONCURRENCY, WEBHOOK_POLL,
            RATE_WINDOW, RATE_LIMIT_DEFAULT);

    /** A rule between keys: the problems of {@code values}, each naming the key to blame. */
    @FunctionalInterface
    public interface Constraint {
        List<Problem> check(ConfigValues values);
    }

    public static final List<Constraint> CONSTRAINTS = List.of(
            values -> values.get(AGENT_LOST_AFTER).compareTo(values.get(AGENT_STALE_AFTER)) >= 0 ? List.of()
                    : List.of(new Problem(AGENT_LOST_AFTER.name(), "must not be shorter than " + AGENT_STALE_AFTER.name())),
            values -> values.get(WEBHOOK_BACKOFF_MAX).compareTo(values.get(WEBHOOK_BACKOFF)) >= 0 ? List.of()
                    : List.of(new Problem(WEBHOOK_BACKOFF_MAX.name(), "must be at least " + WEBHOOK_BACKOFF.name())),
            values -> values.get(SCHEDULER_SKIP) == 0 || values.get(SCHEDULER_POLICY).equals("fifo") ? List.of()
                    : List.of(new Problem(SCHEDULER_SKIP.name(), "applies to the fifo policy only; " + SCHEDULER_POLICY.name()
                            + " is " + values.get(SCHEDULER_POLICY))),
            values -> {
                List<Problem> problems = new ArrayList<>();
                for (String group : values.members(GROUP_SKIP)) {
                    int skip = values.get(GROUP_SKIP, group).orElse(0);
                    String policy = values.get(GROUP_POLICY, group).orElse(values.get(SCHEDULER_POLICY));
                    if (skip > 0 && !policy.equals("fifo")) {
                        problems.add(new Problem(GROUP_SKIP.keyFor(group), "applies to the fifo policy only; the group's policy is " + policy));
                    }
                }
                return problems;
            });

    /** The key or family {@code name} belongs to. */
    public static Optional<ConfigKey<?>> find(String name) {
        for (ConfigKey<?> key : ALL) if (key.matches(name)) return Optional.of(key);
        return Optional.empty();
    }

    // ---- how keys are made ----

    private static <T> ConfigKey<T> live(String name, ValueType<T> type, T defaultValue, String doc, String env) {
        return new ConfigKey<>(name, type, Optional.of(defaultValue), doc, Applies.LIVE, Optional.of(env));
    }

    private static <T> ConfigKey<T> restart(String name, ValueType<T> type, T defaultValue, String doc, String env) {
        return new ConfigKey<>(name, type, Optional.of(defaultValue), doc, Applies.RESTART, Optional.of(env));
    }

    private static <T> ConfigKey<T> family(String name, ValueType<T> type, String doc) {
        return new ConfigKey<>(name, type, Optional.empty(), doc, Applies.LIVE, Optional.empty());
    }

    /** An idle option, seeded from its part of BERTH_IDLE; the idle settings themselves say what they accept. */
    private static ConfigKey<String> idle(String name, String defaultValue, String doc) {
        return new ConfigKey<>(name, idleOption(name), Optional.of(defaultValue), doc, Applies.LIVE, Optional.empty());
    }

    private static ValueType<String> idleOption(String name) {
        return new IdleOption(name);
    }

    /** Checked by the idle settings' own parser, under the key's full name (a metric's name is part of it). */
    private record IdleOption(String name) implements ValueType<String> {
        @Override
        public String parse(String text) {
            return parseFor(name, text);
        }

        @Override
        public String parseFor(String key, String text) {
            if (text == null) throw new IllegalArgumentException("must not be empty");
            String value = text.trim();
            try {
                IdleSettings.DEFAULTS.forGroup(Map.of(key, value));
            } catch (IllegalArgumentException e) {
                // forGroup's message repeats the key and value; the problem names the key already
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw new IllegalArgumentException(cause.getMessage());
            }
            return value;
        }

        @Override
        public String format(String value) {
            return value;
        }

        @Override
        public String describe() {
            return "as the idle checks take it (see the key's doc)";
        }
    }

    private static ValueType<Duration> idleDuration() {
        return new ValueType.Simple<>("a duration such as 90, 30s, 10m, 2h, 3d or 1w", text -> {
            Duration value = dev.berth.topology.idle.Durations.parse(text);
            if (value.isNegative()) throw new IllegalArgumentException("must not be negative");
            return value;
        }, ValueType.Durations::format);
    }
}
