package dev.berth.cluster;

import dev.berth.cluster.ConfigSnapshot.Stored;
import dev.berth.common.Check;
import dev.berth.common.Env;
import dev.berth.common.HealthRegistry;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared configuration in etcd under one prefix, for one process: reads it at start, then
 * watches the prefix from the revision it read (jetcd resumes a broken watch from its last
 * revision; should the watch end anyway, the prefix is read again and watched anew, every second
 * until etcd answers). Every change is resolved over the last good values ({@link ConfigSnapshot#resolve}),
 * so a value written behind Berth's back that does not parse leaves the last good one in effect and
 * turns the {@code config} health check down, naming the key, until it is fixed.
 *
 * <p>Writes ({@link #write}) are validated as a whole and go in one transaction that compares
 * every key under the prefix with what was validated against: all or nothing, and a concurrent change
 * makes it a conflict rather than a silent overwrite. All etcd calls run on one thread of this class.
 */
public final class EtcdConfig implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EtcdConfig.class);
    /** Written with the seed's keys in its transaction: a key still at its revision came from the seed. */
    static final String SEED_MARKER = ConfigValues.RESERVED + "seeded";
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final int WRITE_TRIES = 3;

    /** What came of a write. */
    public sealed interface WriteResult {
        /** Written in one transaction; {@code snapshot} already shows it. */
        record Written(ConfigSnapshot snapshot) implements WriteResult {}

        /** Not written: these keys or values are wrong. */
        record Rejected(List<Problem> problems) implements WriteResult {}

        /** Not written: the configuration is no longer at the revision the write expected. */
        record Conflict(long expected, long current) implements WriteResult {}
    }

    private final Client client;
    private final String prefix;
    private final ByteSequence prefixBytes;
    private final ScheduledExecutorService worker;
    private final List<Consumer<ConfigSnapshot>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private final Counter reloads;
    private final Counter rejected;
    private volatile ConfigSnapshot current = ConfigSnapshot.EMPTY;
    private volatile ConfigSnapshot atStart = ConfigSnapshot.EMPTY;
    private volatile String unreachable;
    private volatile boolean closed;
    /** Worker thread only. */
    private Watch.Watcher watcher;

    private EtcdConfig(Client client, String prefix, String reader, MeterRegistry registry) {
        if (!prefix.startsWith("/") || !prefix.endsWith("/")) throw new IllegalArgumentException("the configuration prefix must start and end with /, got " + prefix);
        this.client = client;
        this.prefix = prefix;
        this.prefixBytes = bytes(prefix);
        this.worker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("berth-config-" + reader).daemon(true).factory());
        this.reloads = Counter.builder("berth.config.reloads").tag("reader", reader)
                .description("Changes of the shared configuration applied by this process").register(registry);
        this.rejected = Counter.builder("berth.config.rejected.values").tag("reader", reader)
                .description("Values seen in etcd that did not parse or broke a rule, kept out of effect").register(registry);
        Gauge.builder("berth.config.revision", this, config -> config.current.revision()).tag("reader", reader)
                .description("The etcd revision of the configuration in effect").register(registry);
        Gauge.builder("berth.config.problems", this, config -> config.current.problems().size()).tag("reader", reader)
                .description("Keys whose value in etcd is refused right now").register(registry);
    }

    /**
     * Connects to {@code endpoints} (e.g. {@code http://127.0.0.1:12379}, comma-separated) and reads
     * nothing yet: {@link #seed} and {@link #start} do.
     *
     * @param reader names this process' meters ({@code reader} tag), e.g. {@code api} or {@code scheduler}
     */
    public static EtcdConfig connect(String endpoints, String prefix, String reader, MeterRegistry registry) {
        Client client = Client.builder()
                .endpoints(Arrays.stream(endpoints.split(",")).map(String::strip).filter(e -> !e.isEmpty()).toArray(String[]::new))
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        return new EtcdConfig(client, prefix, reader, registry);
    }

    /**
     * A process' configuration as {@code env} places it (BERTH_ETCD_HOST, BERTH_ETCD_PORT,
     * BERTH_CONFIG_PREFIX or the topic prefix): the seed from the environment and BERTH_CONFIG_FILE
     * written where etcd has nothing, read, watched, and reported as the health check {@code config}.
     *
     * @throws IllegalArgumentException when the seed is refused (naming the key); IllegalStateException when etcd does not answer
     */
    public static EtcdConfig start(Env env, String topicPrefix, String reader, MeterRegistry registry, HealthRegistry health) {
        Map<String, String> seed = ConfigSeed.from(env);
        EtcdConfig config = connect(endpoint(env), prefix(env, topicPrefix), reader, registry);
        try {
            config.seed(seed);
            config.start();
        } catch (RuntimeException e) {
            config.close();
            throw e;
        }
        health.registerNow("config", config::health);
        return config;
    }

    /** BERTH_ETCD_HOST and BERTH_ETCD_PORT as an endpoint. */
    public static String endpoint(Env env) {
        return "http://" + env.string("BERTH_ETCD_HOST", "127.0.0.1") + ":" + env.integer("BERTH_ETCD_PORT", 12379, 1, 65535);
    }

    /** BERTH_CONFIG_PREFIX, else {@code /berth/<topic prefix>config/}: installations that share etcd keep apart as their topics do. */
    public static String prefix(Env env, String topicPrefix) {
        String explicit = env.string("BERTH_CONFIG_PREFIX", "");
        return explicit.isEmpty() ? defaultPrefix(topicPrefix) : explicit;
    }

    public static String defaultPrefix(String topicPrefix) {
        return "/berth/" + topicPrefix + "config/";
    }

    public String prefixName() {
        return prefix;
    }

    /**
     * Writes each key of {@code seed} that etcd does not hold, all in one transaction (with the seed
     * marker), and only if none of them appeared meanwhile; a race with another process' seed is
     * simply read again. Blocking.
     *
     * @return the keys written
     */
    public Set<String> seed(Map<String, String> seed) {
        for (int attempt = 0; attempt < WRITE_TRIES; attempt++) {
            Map<String, Stored> stored = call(() -> read()).stored();
            Map<String, String> absent = new TreeMap<>(seed);
            absent.keySet().removeAll(stored.keySet());
            if (absent.isEmpty()) return Set.of();
            List<Cmp> unchanged = new ArrayList<>();
            List<Op> puts = new ArrayList<>();
            absent.forEach((key, value) -> {
                unchanged.add(new Cmp(key(key), Cmp.Op.EQUAL, CmpTarget.version(0)));
                puts.add(Op.put(key(key), bytes(value), PutOption.DEFAULT));
            });
            puts.add(Op.put(key(SEED_MARKER), bytes(String.join(",", absent.keySet())), PutOption.DEFAULT));
            boolean written = call(() -> client.getKVClient().txn().If(unchanged.toArray(Cmp[]::new)).Then(puts.toArray(Op[]::new))
                    .commit().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isSucceeded();
            if (written) {
                log.info("configuration seeded under {}: {}", prefix, absent.keySet());
                return absent.keySet();
            }
        }
        throw new IllegalStateException("the configuration seed under " + prefix + " kept racing with other writers");
    }

    /** Reads the configuration and watches it from then on; blocking until the first read answered. */
    public void start() {
        ConfigSnapshot first = call(() -> {
            long revision = refresh();
            watchFrom(revision + 1);
            return current;
        });
        atStart = first;
        if (!first.problems().isEmpty()) {
            log.error("the configuration under {} has values that are not taken, defaults apply for them: {}", prefix, first.problems());
        }
    }

    /** The configuration in effect now. */
    public ConfigSnapshot snapshot() {
        return current;
    }

    /** The configuration as this process read it at start: what restart-applied keys are in effect with. */
    public ConfigSnapshot atStart() {
        return atStart;
    }

    /**
     * {@code env} with the restart-applied keys that etcd held at start for the variables the
     * process was not given (BERTH_KAFKA_BOOTSTRAP, BERTH_PG_*, BERTH_REDIS_*, ...): what it builds
     * its clients from. A variable the process was given wins, so one process can be pointed
     * elsewhere (a test's own broker, a replica) without touching the cluster's settings.
     */
    public Env overlay(Env env) {
        ConfigSnapshot start = atStart;
        Map<String, String> overrides = new TreeMap<>();
        for (ConfigKey<?> key : ConfigKeys.ALL) {
            if (key.applies() == Applies.RESTART && key.env().isPresent() && env.string(key.env().get(), "").isEmpty()
                    && start.values().has(key.name())) {
                overrides.put(key.env().get(), start.values().text(key.name()));
            }
        }
        return env.with(overrides);
    }

    /** Called (on this class' thread) with each new snapshot after a change. */
    public void onChange(Consumer<ConfigSnapshot> listener) {
        listeners.add(listener);
    }

    /**
     * A value derived from the configuration, kept current: {@code view} runs now and again after every
     * change, and reading the supplier is a volatile read, cheap enough for every pass or request.
     * Should {@code view} fail on a snapshot, the previous value stays.
     */
    public <T> Supplier<T> live(Function<ConfigSnapshot, T> view) {
        LiveValue<T> value = new LiveValue<>(view, view.apply(current));
        onChange(value::update);
        return value;
    }

    private static final class LiveValue<T> implements Supplier<T> {
        private final Function<ConfigSnapshot, T> view;
        private volatile T value;

        LiveValue(Function<ConfigSnapshot, T> view, T initial) {
            this.view = view;
            this.value = initial;
        }

        void update(ConfigSnapshot snapshot) {
            try {
                value = view.apply(snapshot);
            } catch (RuntimeException e) {
                log.error("configuration at revision {} not applied here, the previous stays: {}", snapshot.revision(), e.toString());
            }
        }

        @Override
        public T get() {
            return value;
        }
    }

    /**
     * Validates {@code changes} (a text sets a key, empty removes it) against what etcd holds, then
     * writes them in one transaction. With {@code expectedRevision}, the write goes only if the
     * configuration is still at that revision; without, a concurrent change is read and validated
     * again, a few times. Blocking.
     */
    public WriteResult write(Map<String, Optional<String>> changes, OptionalLong expectedRevision) {
        for (int attempt = 0; attempt < WRITE_TRIES; attempt++) {
            ConfigSnapshot read = call(this::read);
            if (expectedRevision.isPresent() && expectedRevision.getAsLong() != read.revision()) {
                return new WriteResult.Conflict(expectedRevision.getAsLong(), read.revision());
            }
            Map<String, String> texts = new TreeMap<>();
            read.stored().forEach((key, stored) -> texts.put(key, stored.value()));
            List<Problem> problems = ConfigValues.validateWrite(texts, changes);
            if (!problems.isEmpty()) return new WriteResult.Rejected(problems);
            List<Cmp> unchanged = new ArrayList<>();
            read.stored().forEach((key, stored) -> unchanged.add(new Cmp(key(key), Cmp.Op.EQUAL, CmpTarget.modRevision(stored.modRevision()))));
            List<Op> ops = new ArrayList<>();
            changes.forEach((key, value) -> {
                if (!read.stored().containsKey(key)) unchanged.add(new Cmp(key(key), Cmp.Op.EQUAL, CmpTarget.version(0)));
                ops.add(value.isPresent() ? Op.put(key(key), bytes(ConfigValues.canonical(key, value.get())), PutOption.DEFAULT)
                        : Op.delete(key(key), DeleteOption.DEFAULT));
            });
            boolean written = call(() -> client.getKVClient().txn().If(unchanged.toArray(Cmp[]::new)).Then(ops.toArray(Op[]::new))
                    .commit().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isSucceeded();
            if (written) {
                log.info("configuration under {} changed: {}", prefix, changes.keySet());
                return new WriteResult.Written(call(() -> {
                    refresh();
                    return current;
                }));
            }
            if (expectedRevision.isPresent()) return new WriteResult.Conflict(expectedRevision.getAsLong(), call(this::read).revision());
        }
        return new WriteResult.Conflict(-1, call(this::read).revision());
    }

    /** The {@code config} health check: down while etcd holds values that are not taken, naming them. */
    public Check health() {
        ConfigSnapshot snapshot = current;
        if (!snapshot.problems().isEmpty()) {
            return Check.down(snapshot.problems().stream().map(Problem::toString).collect(Collectors.joining("; "))
                    + " (the last good values stay in effect; revision " + snapshot.revision() + ")");
        }
        String away = unreachable;
        if (away != null) return Check.up("revision " + snapshot.revision() + " in effect; etcd does not answer: " + away);
        return Check.up("revision " + snapshot.revision() + ", " + snapshot.values().names().size() + " keys set under " + prefix);
    }

    // ---- on the worker thread ----

    /** Reads the prefix and publishes the snapshot if anything changed; returns etcd's revision at the read. */
    private long refresh() throws Exception {
        GetResponse response = get();
        ConfigSnapshot previous = current;
        ConfigSnapshot next = ConfigSnapshot.resolve(stored(response), previous.values());
        unreachable = null;
        if (!next.stored().equals(previous.stored())) publish(previous, next);
        return response.getHeader().getRevision();
    }

    private ConfigSnapshot read() throws Exception {
        return ConfigSnapshot.resolve(stored(get()), current.values());
    }

    private GetResponse get() throws Exception {
        return client.getKVClient().get(prefixBytes, GetOption.builder().isPrefix(true).build())
                .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private Map<String, Stored> stored(GetResponse response) {
        Map<String, Stored> stored = new TreeMap<>();
        for (KeyValue kv : response.getKvs()) {
            stored.put(kv.getKey().toString(StandardCharsets.UTF_8).substring(prefix.length()),
                    new Stored(kv.getValue().toString(StandardCharsets.UTF_8), kv.getModRevision()));
        }
        return stored;
    }

    private void publish(ConfigSnapshot previous, ConfigSnapshot next) {
        current = next;
        reloads.increment();
        Set<Problem> known = new HashSet<>(previous.problems());
        for (Problem problem : next.problems()) {
            if (known.contains(problem)) continue;
            rejected.increment();
            log.error("configuration under {}: {} is not taken; the last good value stays in effect", prefix, problem);
        }
        if (!previous.problems().isEmpty() && next.problems().isEmpty()) log.info("configuration under {}: every value is taken again", prefix);
        for (Consumer<ConfigSnapshot> listener : listeners) {
            try {
                listener.accept(next);
            } catch (RuntimeException e) {
                log.error("a configuration listener failed on revision {}", next.revision(), e);
            }
        }
    }

    private void watchFrom(long revision) {
        if (watcher != null) watcher.close();
        WatchOption option = WatchOption.builder().isPrefix(true).withRevision(revision).build();
        watcher = client.getWatchClient().watch(prefixBytes, option, Watch.listener(
                response -> queueRefresh(),
                failure -> {
                    if (closed) return;
                    log.warn("the configuration watch under {} ended ({}); reading and watching again", prefix, failure.toString());
                    worker.schedule(this::resync, RETRY.toMillis(), TimeUnit.MILLISECONDS);
                }));
    }

    private void queueRefresh() {
        if (closed || !refreshQueued.compareAndSet(false, true)) return;
        worker.execute(() -> {
            refreshQueued.set(false);
            try {
                refresh();
            } catch (Exception e) {
                away(e);
                worker.schedule(this::queueRefresh, RETRY.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    /** Reads the current state (whatever was missed) and watches from there. */
    private void resync() {
        if (closed) return;
        try {
            watchFrom(refresh() + 1);
        } catch (Exception e) {
            away(e);
            worker.schedule(this::resync, RETRY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void away(Exception e) {
        String reason = describe(e);
        if (unreachable == null) log.warn("etcd does not answer for the configuration under {} ({}); the last one read stays in effect", prefix, reason);
        unreachable = reason;
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws Exception;
    }

    /** Runs {@code call} on the worker thread and waits for it. */
    private <T> T call(Call<T> call) {
        Future<T> future = worker.submit(call::run);
        try {
            return future.get(CALL_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the configuration under " + prefix, e);
        } catch (ExecutionException | TimeoutException e) {
            future.cancel(true);
            throw new IllegalStateException("etcd does not answer for the configuration under " + prefix + ": " + describe(e), e);
        }
    }

    private ByteSequence key(String name) {
        return bytes(prefix + name);
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) cause = cause.getCause();
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            worker.submit(() -> {
                if (watcher != null) watcher.close();
            }).get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.debug("configuration watch not closed cleanly: {}", e.toString());
        }
        worker.shutdownNow();
        client.close();
    }
}
