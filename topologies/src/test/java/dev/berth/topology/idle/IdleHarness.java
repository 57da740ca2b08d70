package dev.berth.topology.idle;

import dev.berth.schema.BerthSerdes;
import dev.berth.schema.KernelIds;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.KernelInfo;
import dev.berth.schema.avro.KernelStats;
import dev.berth.schema.avro.KernelStatus;
import dev.berth.schema.avro.KeypairConfig;
import dev.berth.schema.avro.LimitScope;
import dev.berth.schema.avro.ResourceLimits;
import dev.berth.schema.avro.ScalingGroupConfig;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionActivity;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionRequest;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.schema.avro.SessionType;
import dev.berth.topology.Fixtures;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The idle topology in a TopologyTestDriver whose wall clock starts at {@link #T0} and moves only
 * when a test says so; records carry the stream times the test gives them.
 */
final class IdleHarness implements AutoCloseable {

    static final long T0 = Instant.parse("2026-11-25T10:00:00Z").toEpochMilli();
    static final long GIB = 1L << 30;
    static final String ACCESS_KEY = "AKIDLE";

    final Topics topics = Topics.withPrefix("", 1);
    final TopologyTestDriver driver;
    final TestInputTopic<String, SessionEvent> events;
    final TestInputTopic<String, KernelStats> stats;
    final TestInputTopic<String, SessionActivity> activity;
    final TestInputTopic<String, ResourceLimits> limits;
    final TestInputTopic<String, KeypairConfig> keypairs;
    final TestInputTopic<String, ScalingGroupConfig> groups;
    final TestOutputTopic<String, SessionRequest> requests;
    final RecordingSink sink = new RecordingSink();
    private long wallClock = T0;
    private final Map<String, Long> seqs = new HashMap<>();

    IdleHarness(Path stateDir, IdleSettings settings) {
        driver = new TopologyTestDriver(IdleTopology.build(topics, settings, sink),
                Fixtures.driverProps("idle", stateDir, topics), Instant.ofEpochMilli(T0));
        var key = new StringSerializer();
        events = driver.createInputTopic(topics.sessionEvents.name(), key, BerthSerdes.SESSION_EVENT);
        stats = driver.createInputTopic(topics.kernelStats.name(), key, BerthSerdes.KERNEL_STATS);
        activity = driver.createInputTopic(topics.sessionActivity.name(), key, BerthSerdes.SESSION_ACTIVITY);
        limits = driver.createInputTopic(topics.configLimits.name(), key, BerthSerdes.RESOURCE_LIMITS);
        keypairs = driver.createInputTopic(topics.configKeypairs.name(), key, BerthSerdes.KEYPAIR_CONFIG);
        groups = driver.createInputTopic(topics.configScalingGroups.name(), key, BerthSerdes.SCALING_GROUP_CONFIG);
        requests = driver.createOutputTopic(topics.sessionRequests.name(), BerthSerdes.KEY.deserializer(), BerthSerdes.SESSION_REQUEST);
    }

    /** Moves the wall clock to {@code at}, in steps of at most a second so that every check interval fires. */
    void clockAt(long at) {
        while (wallClock < at) {
            long step = Math.min(1000, at - wallClock);
            driver.advanceWallClockTime(Duration.ofMillis(step));
            wallClock += step;
        }
    }

    /** The keypair's policy: idle timeout and maximum lifetime in seconds. */
    void policy(long idleTimeoutSeconds, long maxLifetimeSeconds) {
        keypairs.pipeInput(ACCESS_KEY, new KeypairConfig(ACCESS_KEY, "alice", "default",
                dev.berth.schema.avro.UserRole.USER, true, "idle-test", 10_000, 1L), T0);
        limits.pipeInput("keypair-policy:idle-test", ResourceLimits.newBuilder()
                .setScope(LimitScope.KEYPAIR_POLICY).setId("idle-test")
                .setIdleTimeoutSeconds(idleTimeoutSeconds).setMaxSessionLifetimeSeconds(maxLifetimeSeconds).build(), T0);
    }

    void group(String name, Map<String, String> options, long version) {
        groups.pipeInput(name, ScalingGroupConfig.newBuilder().setName(name).setSchedulerConfig(options).setVersion(version).build(), T0);
    }

    /** A session as the lifecycle would publish it. */
    static Session session(String id, SessionType type, int clusterSize, Map<String, Long> resources, SessionStatus status,
                           long createdAt, Long runningAt) {
        List<KernelInfo> kernels = new ArrayList<>();
        for (int i = 0; i < clusterSize; i++) {
            kernels.add(KernelInfo.newBuilder().setKernelId(KernelIds.of(id, i)).setClusterRole(i == 0 ? "main" : "sub")
                    .setClusterIdx(i == 0 ? 1 : i).setClusterHostname("k" + i)
                    .setStatus(status == SessionStatus.RUNNING ? KernelStatus.RUNNING : KernelStatus.PENDING)
                    .setAgentId("agent-1").build());
        }
        Map<String, Long> history = new HashMap<>(Map.of("PENDING", createdAt));
        if (runningAt != null) history.put("RUNNING", runningAt);
        return Session.newBuilder()
                .setSessionId(id).setAccessKey(ACCESS_KEY)
                .setSpec(SessionSpec.newBuilder().setName("s-" + id.substring(0, 4)).setImage("python:3").setSessionType(type)
                        .setClusterSize(clusterSize).setResources(resources).setUserId("alice").build())
                .setStatus(status).setStatusHistory(history).setCreatedAt(Instant.ofEpochMilli(createdAt)).setKernels(kernels)
                .build();
    }

    /** Created at {@code createdAt}, RUNNING from {@code runningAt}: the two events the lifecycle publishes, in order. */
    void running(String id, SessionType type, int clusterSize, Map<String, Long> resources, long createdAt, long runningAt) {
        event(id, SessionEventKind.ENQUEUED, session(id, type, clusterSize, resources, SessionStatus.PENDING, createdAt, null), createdAt);
        event(id, SessionEventKind.STARTED, session(id, type, clusterSize, resources, SessionStatus.RUNNING, createdAt, runningAt), runningAt);
    }

    void running(String id, long createdAt, long runningAt) {
        running(id, SessionType.INTERACTIVE, 1, Map.of("cpu", 1000L, "mem", GIB), createdAt, runningAt);
    }

    void event(String id, SessionEventKind kind, Session session, long at) {
        events.pipeInput(id, new SessionEvent(id, Instant.ofEpochMilli(at), kind, null, session), at);
    }

    void act(String id, long at) {
        activity.pipeInput(id, new SessionActivity(id, Instant.ofEpochMilli(at), ACCESS_KEY, "execute"), at);
    }

    /** One stats sample of kernel {@code index} of the session at stream time {@code at}. */
    void sample(String id, int index, long at, double cpuPercent, long memBytes) {
        String kernel = KernelIds.of(id, index);
        long seq = seqs.merge(kernel, 1L, Long::sum);
        stats.pipeInput(id, KernelStats.newBuilder().setKernelId(kernel).setSessionId(id).setAgentId("agent-1")
                .setAt(Instant.ofEpochMilli(at)).setSeq(seq).setCpuUsedMs(0).setCpuPercent(cpuPercent).setMemBytes(memBytes).build(), at);
    }

    /** The reasons of every destroy asked for so far, in order. */
    List<String> destroyReasons() {
        return requests.readValuesToList().stream()
                .map(request -> ((dev.berth.schema.avro.DestroySession) request.getOp()).getReason())
                .toList();
    }

    @Override
    public void close() {
        driver.close();
    }

    /** Keeps the newest reports per session. */
    static final class RecordingSink implements IdleReportSink {
        final Map<String, List<IdleReport>> latest = new HashMap<>();
        final List<String> cleared = new ArrayList<>();
        final List<String> expired = new ArrayList<>();
        int writes;

        @Override
        public void write(String sessionId, List<IdleReport> reports) {
            latest.put(sessionId, reports);
            writes++;
        }

        @Override
        public void clear(String sessionId) {
            latest.remove(sessionId);
            cleared.add(sessionId);
        }

        @Override
        public void expired(String sessionId, Checker checker) {
            expired.add(sessionId + " " + checker.wire);
        }

        IdleReport report(String sessionId, Checker checker) {
            return latest.getOrDefault(sessionId, List.of()).stream().filter(r -> r.checker() == checker).findFirst().orElse(null);
        }
    }
}
