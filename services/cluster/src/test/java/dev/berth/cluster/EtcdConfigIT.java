package dev.berth.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cluster.ConfigSnapshot.Source;
import dev.berth.cluster.EtcdConfig.WriteResult;
import dev.berth.common.Check;
import dev.berth.common.Env;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The shared configuration on the real etcd: watch, transactions, bad values behind Berth's back, the seed, restarts")
class EtcdConfigIT {

    private final String prefix = TestEtcd.freshPrefix();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private EtcdConfig writer;
    private EtcdConfig reader;

    private EtcdConfig open(String name) {
        EtcdConfig config = EtcdConfig.connect(TestEtcd.endpoint(), prefix, name, meters);
        config.start();
        return config;
    }

    @AfterEach
    void close() {
        if (writer != null) writer.close();
        if (reader != null) reader.close();
    }

    @Test
    @DisplayName("a write by one process reaches a value another derives live, without a restart")
    void watchAppliesLive() {
        writer = open("writer");
        reader = open("reader");
        Supplier<Duration> window = reader.live(snapshot -> snapshot.values().get(ConfigKeys.RATE_WINDOW));
        assertEquals(Duration.ofMinutes(15), window.get());

        assertInstanceOf(WriteResult.Written.class, writer.write(Map.of("api.rate-window", Optional.of("90s")), OptionalLong.empty()));

        await().atMost(Duration.ofSeconds(10)).until(() -> window.get().equals(Duration.ofSeconds(90)));
        assertEquals(Source.ETCD, reader.snapshot().source("api.rate-window"));
        assertTrue(meters.get("berth.config.reloads").tag("reader", "reader").counter().count() >= 1);
    }

    @Test
    @DisplayName("an address in etcd fills the variable a process was not given; one it was given wins for that process")
    void addressesFillWhatTheEnvironmentLeavesOut() {
        writer = open("writer");
        assertInstanceOf(WriteResult.Written.class, writer.write(
                Map.of("kafka.bootstrap", Optional.of("10.0.0.7:9092"), "redis.port", Optional.of("6390")), OptionalLong.empty()));
        reader = open("reader");

        Env given = reader.overlay(new Env(Map.of("BERTH_KAFKA_BOOTSTRAP", "127.0.0.1:19092")));
        assertEquals("127.0.0.1:19092", given.string("BERTH_KAFKA_BOOTSTRAP", ""), "the process' own broker");
        assertEquals(6390, given.integer("BERTH_REDIS_PORT", 0, 1, 65535), "the cluster's Redis port, which it was not given");
        assertEquals("10.0.0.7:9092", reader.overlay(new Env(Map.of())).string("BERTH_KAFKA_BOOTSTRAP", ""));
    }

    @Test
    @DisplayName("several keys go in one transaction: a bad one refuses all, a stale revision is a conflict")
    void allOrNothing() {
        writer = open("writer");
        var refused = writer.write(Map.of("webhook.attempts", Optional.of("3"), "webhook.backoff", Optional.of("later")), OptionalLong.empty());
        assertEquals("webhook.backoff", assertInstanceOf(WriteResult.Rejected.class, refused).problems().getFirst().key());
        assertTrue(writer.snapshot().stored().isEmpty(), "nothing was written: " + writer.snapshot().stored());

        var written = assertInstanceOf(WriteResult.Written.class, writer.write(
                Map.of("webhook.attempts", Optional.of("3"), "webhook.backoff", Optional.of("2s")), OptionalLong.empty()));
        long revision = written.snapshot().revision();
        assertEquals(written.snapshot().stored().get("webhook.attempts").modRevision(), written.snapshot().stored().get("webhook.backoff").modRevision());

        assertInstanceOf(WriteResult.Written.class, writer.write(Map.of("webhook.attempts", Optional.of("4")), OptionalLong.of(revision)));
        var stale = writer.write(Map.of("webhook.attempts", Optional.of("5")), OptionalLong.of(revision));
        assertInstanceOf(WriteResult.Conflict.class, stale);
        assertEquals(4, writer.snapshot().values().get(ConfigKeys.WEBHOOK_ATTEMPTS));
    }

    @Test
    @DisplayName("a value that does not parse, written behind Berth's back, is reported on health; the last good stays until it is fixed")
    void badValueBehindTheBack() throws Exception {
        writer = open("writer");
        reader = open("reader");
        writer.write(Map.of("scheduler.policy", Optional.of("drf")), OptionalLong.empty());
        await().atMost(Duration.ofSeconds(10)).until(() -> reader.snapshot().values().get(ConfigKeys.SCHEDULER_POLICY).equals("drf"));

        TestEtcd.put(prefix, "scheduler.policy", "round-robin");

        await().atMost(Duration.ofSeconds(10)).until(() -> !reader.health().up());
        Check check = reader.health();
        assertTrue(check.detail().contains("scheduler.policy") && check.detail().contains("round-robin"), check.detail());
        assertEquals("drf", reader.snapshot().values().get(ConfigKeys.SCHEDULER_POLICY));
        assertEquals(1.0, meters.get("berth.config.rejected.values").tag("reader", "reader").counter().count());

        TestEtcd.put(prefix, "scheduler.policy", "mof");
        await().atMost(Duration.ofSeconds(10)).until(() -> reader.health().up());
        assertEquals("mof", reader.snapshot().values().get(ConfigKeys.SCHEDULER_POLICY));
    }

    @Test
    @DisplayName("the seed writes only the keys etcd lacks, in one transaction, and they show as seeded")
    void seedWritesAbsentOnly() {
        writer = open("writer");
        writer.write(Map.of("webhook.attempts", Optional.of("9")), OptionalLong.empty());

        reader = EtcdConfig.connect(TestEtcd.endpoint(), prefix, "reader", meters);
        Set<String> written = reader.seed(new TreeMap<>(Map.of("webhook.attempts", "2", "api.rate-window", "1m")));
        reader.start();

        assertEquals(Set.of("api.rate-window"), written);
        assertEquals(9, reader.snapshot().values().get(ConfigKeys.WEBHOOK_ATTEMPTS));
        assertEquals(Source.ETCD, reader.snapshot().source("webhook.attempts"));
        assertEquals(Duration.ofMinutes(1), reader.snapshot().values().get(ConfigKeys.RATE_WINDOW));
        assertEquals(Source.SEED, reader.snapshot().source("api.rate-window"));
        assertEquals(Set.of(), reader.seed(Map.of("api.rate-window", "5m")), "a second start seeds nothing");
    }

    @Test
    @DisplayName("a process that starts again reads the current state, including what changed while it was away")
    void restartResumes() {
        writer = open("writer");
        reader = open("reader");
        reader.close();
        writer.write(Map.of("scheduler.continue", Optional.of("true")), OptionalLong.empty());

        reader = open("reader-again");
        assertTrue(reader.snapshot().values().get(ConfigKeys.SCHEDULER_CONTINUE));
        writer.write(Map.of("scheduler.continue", Optional.empty()), OptionalLong.empty());
        await().atMost(Duration.ofSeconds(10)).until(() -> !reader.snapshot().values().get(ConfigKeys.SCHEDULER_CONTINUE));
        assertFalse(reader.snapshot().values().has("scheduler.continue"));
    }
}
