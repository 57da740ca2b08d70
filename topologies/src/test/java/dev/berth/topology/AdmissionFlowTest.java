package dev.berth.topology;

import static dev.berth.topology.Fixtures.GIB;
import static dev.berth.topology.Fixtures.create;
import static dev.berth.topology.Fixtures.destroy;
import static dev.berth.topology.Fixtures.heartbeat;
import static dev.berth.topology.Fixtures.kernelEvent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.schema.avro.ClusterMode;
import dev.berth.schema.avro.KernelEventKind;
import dev.berth.schema.avro.KeypairConfig;
import dev.berth.schema.avro.KernelRole;
import dev.berth.schema.avro.LimitScope;
import dev.berth.schema.avro.PredicateFailure;
import dev.berth.schema.avro.ResourceLimits;
import dev.berth.schema.avro.ScalingGroupConfig;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionResult;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.schema.avro.SessionType;
import dev.berth.schema.avro.UnspecifiedSlots;
import dev.berth.topology.admission.AdmissionOptions;
import dev.berth.topology.admission.Predicates;
import dev.berth.topology.placement.PlacementOptions;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Admission in the whole topology: sessions wait with a reason and go when what they wait on changes")
class AdmissionFlowTest {

    @TempDir Path stateDir;
    private SchedulerHarness h;

    @BeforeEach
    void start() {
        h = new SchedulerHarness(stateDir, AdmissionOptions.DEFAULTS, PlacementOptions.DEFAULTS);
        h.heartbeats.pipeInput("a1", heartbeat("a1", 16_000, 64 * GIB, 0), 0);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private void keypairPolicy(Map<String, Long> slots, int maxSessions) {
        h.limits.pipeInput("keypair-policy:default", ResourceLimits.newBuilder()
                .setScope(LimitScope.KEYPAIR_POLICY).setId("default").setTotalResourceSlots(slots)
                .setDefaultForUnspecified(UnspecifiedSlots.UNLIMITED).setMaxConcurrentSessions(maxSessions).build(), h.now());
    }

    private void create(String id, SessionSpec spec) {
        h.requests.pipeInput(id, Fixtures.create(id, spec, h.now()), h.now());
        h.at(h.now() + 5);
    }

    private static SessionSpec spec(String name, long cpu) {
        return Fixtures.spec(name, cpu, GIB, 1, ClusterMode.SINGLE_NODE, SessionType.INTERACTIVE);
    }

    private static SessionSpec batch(String name) {
        return Fixtures.spec(name, 1000, GIB, 1, ClusterMode.SINGLE_NODE, SessionType.BATCH);
    }

    /** The agent reports the kernel started, then, with an exit code, ended. */
    private void runToEnd(String sessionId, int exitCode) {
        h.kernelEvents.pipeInput(sessionId, kernelEvent(sessionId, 0, "a1", KernelEventKind.STARTED, null, null, h.now()), h.now());
        h.kernelEvents.pipeInput(sessionId, kernelEvent(sessionId, 0, "a1", KernelEventKind.TERMINATED, exitCode, "self-terminated", h.now()), h.now());
        h.at(h.now() + 5);
    }

    private List<String> failed(String sessionId) {
        SessionEvent last = h.last(sessionId);
        return last.getSession().getScheduler().getFailedPredicates().stream().map(PredicateFailure::getName).toList();
    }

    @Test
    @DisplayName("SCH-08/12 a session over the concurrency limit waits PENDING with predicate-checks-failed, and goes when one ends")
    void concurrencyWaitsThenGoes() {
        keypairPolicy(Map.of(), 1);
        h.at(1_000);
        create("s1", spec("one", 1000));
        create("s2", spec("two", 1000));

        assertEquals(SessionStatus.SCHEDULED, h.last("s1").getSession().getStatus());
        SessionEvent waiting = h.last("s2");
        assertEquals(SessionEventKind.WAITING, waiting.getKind());
        assertEquals(SessionStatus.PENDING, waiting.getSession().getStatus());
        assertEquals("predicate-checks-failed", waiting.getSession().getStatusInfo());
        assertEquals(List.of(Predicates.CONCURRENCY), failed("s2"));
        assertEquals(1, waiting.getSession().getScheduler().getRetries());

        runToEnd("s1", 0);
        assertEquals(SessionStatus.TERMINATED, h.last("s1").getSession().getStatus());
        assertEquals(SessionStatus.SCHEDULED, h.last("s2").getSession().getStatus(), "s1's end released its quota");
        assertEquals(null, h.last("s2").getSession().getScheduler(), "a placed session carries no waiting reason");
    }

    @Test
    @DisplayName("invariant 2: a session that ends twice (ERROR, then TERMINATED) gives its quota back once")
    void releasedExactlyOnce() {
        keypairPolicy(Map.of(), 1);
        h.at(1_000);
        create("s1", spec("one", 1000));
        h.kernelEvents.pipeInput("s1", kernelEvent("s1", 0, "a1", KernelEventKind.STARTED, null, null, h.now()), h.now());
        create("s2", spec("two", 1000));
        assertEquals(List.of(Predicates.CONCURRENCY), failed("s2"));

        // a1 falls silent: s1 ends in ERROR, which holds no quota (SES-10), so s2 may go, and waits for an agent
        h.at(1_000 + PlacementOptions.DEFAULTS.lostAfter().toMillis() + 1_000);
        assertEquals(SessionStatus.ERROR, h.last("s1").getSession().getStatus());
        assertEquals("agent-lost", h.last("s1").getSession().getStatusInfo());
        h.heartbeats.pipeInput("a2", heartbeat("a2", 16_000, 64 * GIB, h.now()), h.now());
        h.at(h.now() + 5);
        assertEquals(SessionStatus.SCHEDULED, h.last("s2").getSession().getStatus());

        create("s3", spec("three", 1000));
        assertEquals(List.of(Predicates.CONCURRENCY), failed("s3"));
        // the user removes the errored session: a second end of s1 must not free s2's slot again
        h.requests.pipeInput("s1", destroy("s1", true, h.now()), h.now());
        h.at(h.now() + 2_000);
        assertEquals(SessionStatus.TERMINATED, h.last("s1").getSession().getStatus());
        assertEquals(SessionStatus.PENDING, h.last("s3").getSession().getStatus());
        assertFalse(h.kinds("s3").contains(SessionEventKind.SCHEDULED));
    }

    @Test
    @DisplayName("a policy change on config.limits lets a waiting session go within the recheck interval")
    void policyChangeAdmits() {
        keypairPolicy(Map.of("cpu", 1000L), 0);
        h.at(1_000);
        create("s1", spec("one", 1000));
        create("s2", spec("two", 1000));
        assertEquals(List.of(Predicates.KEYPAIR_LIMIT), failed("s2"));

        keypairPolicy(Map.of("cpu", 4000L), 0);
        h.at(h.now() + AdmissionOptions.DEFAULTS.recheckEvery().toMillis() + 10);
        assertEquals(SessionStatus.SCHEDULED, h.last("s2").getSession().getStatus());
    }

    @Test
    @DisplayName("a keypair deactivated on config.keypairs holds its pending sessions; reactivated, they go within the recheck interval")
    void inactiveKeypairHolds() {
        h.keypairs.pipeInput("AKTEST", KeypairConfig.newBuilder().setAccessKey("AKTEST").setUserId("u1").setDomain("default")
                .setActive(false).build(), h.now());
        h.at(1_000);
        create("s1", spec("one", 1000));
        assertEquals(SessionStatus.PENDING, h.last("s1").getSession().getStatus());
        assertEquals(List.of(Predicates.KEYPAIR_ACTIVE), failed("s1"));

        h.keypairs.pipeInput("AKTEST", KeypairConfig.newBuilder().setAccessKey("AKTEST").setUserId("u1").setDomain("default")
                .setActive(true).build(), h.now());
        h.at(h.now() + AdmissionOptions.DEFAULTS.recheckEvery().toMillis() + 10);
        assertEquals(SessionStatus.SCHEDULED, h.last("s1").getSession().getStatus());
    }

    @Test
    @DisplayName("SCH-07 a session waits for its dependency; success lets it go, a failure cancels it with dependency-failed")
    void dependencies() {
        h.at(1_000);
        create("ok", batch("ok"));
        create("after-ok", SessionSpec.newBuilder(batch("after-ok")).setDependencies(List.of("ok")).build());
        create("bad", batch("bad"));
        create("after-bad", SessionSpec.newBuilder(batch("after-bad")).setDependencies(List.of("bad")).build());
        assertEquals(List.of(Predicates.DEPENDENCIES), failed("after-ok"));
        assertEquals(List.of(Predicates.DEPENDENCIES), failed("after-bad"));

        runToEnd("ok", 0);
        assertEquals(SessionResult.SUCCESS, h.last("ok").getSession().getResult());
        assertEquals(SessionStatus.SCHEDULED, h.last("after-ok").getSession().getStatus());

        runToEnd("bad", 1);
        assertEquals(SessionResult.FAILURE, h.last("bad").getSession().getResult());
        SessionEvent cancelled = h.last("after-bad");
        assertEquals(SessionStatus.CANCELLED, cancelled.getSession().getStatus());
        assertEquals(Predicates.DEPENDENCY_FAILED, cancelled.getSession().getStatusInfo());
    }

    @Test
    @DisplayName("SCH-07 a dependency that was cancelled fails its dependent as a failed one does: dependency-failed")
    void cancelledDependency() {
        h.at(1_000);
        // more cpu than the agent has: the dependency stays PENDING in placement's queue until it is cancelled
        create("dep", SessionSpec.newBuilder(batch("dep")).setResources(Map.of("cpu", 32_000L, "mem", GIB)).build());
        create("after", SessionSpec.newBuilder(batch("after")).setDependencies(List.of("dep")).build());
        assertEquals(List.of(Predicates.DEPENDENCIES), failed("after"));

        h.requests.pipeInput("dep", destroy("dep", false, h.now()), h.now());
        h.at(h.now() + 5);
        assertEquals(SessionStatus.CANCELLED, h.last("dep").getSession().getStatus());
        SessionEvent cancelled = h.last("after");
        assertEquals(SessionStatus.CANCELLED, cancelled.getSession().getStatus());
        assertEquals(Predicates.DEPENDENCY_FAILED, cancelled.getSession().getStatusInfo());
        assertFalse(h.kinds("after").contains(SessionEventKind.SCHEDULED));
    }

    @Test
    @DisplayName("SCH-06 a batch session with starts_at waits until then, not a moment longer than the recheck")
    void reservedTime() {
        h.at(1_000);
        create("later", SessionSpec.newBuilder(batch("later")).setStartsAt(Instant.ofEpochMilli(10_000)).build());
        assertEquals(List.of(Predicates.RESERVED_TIME), failed("later"));
        h.at(9_900);
        assertEquals(SessionStatus.PENDING, h.last("later").getSession().getStatus());
        h.at(10_000 + AdmissionOptions.DEFAULTS.recheckEvery().toMillis() + 10);
        assertEquals(SessionStatus.SCHEDULED, h.last("later").getSession().getStatus());
    }

    @Test
    @DisplayName("RES-07 a group that does not take the session type keeps it waiting until the group is changed")
    void sessionTypes() {
        h.groups.pipeInput("default", ScalingGroupConfig.newBuilder().setName("default")
                .setAllowedSessionTypes(List.of(SessionType.BATCH)).build(), 0);
        h.at(1_000);
        create("s1", spec("one", 1000));
        assertEquals(List.of(Predicates.SESSION_TYPES), failed("s1"));
        h.groups.pipeInput("default", ScalingGroupConfig.newBuilder().setName("default")
                .setAllowedSessionTypes(List.of(SessionType.BATCH, SessionType.INTERACTIVE)).build(), h.now());
        h.at(h.now() + AdmissionOptions.DEFAULTS.recheckEvery().toMillis() + 10);
        assertEquals(SessionStatus.SCHEDULED, h.last("s1").getSession().getStatus());
    }

    @Test
    @DisplayName("SES-10 a SYSTEM session is not held by the keypair's limits")
    void systemSessionSkipsLimits() {
        keypairPolicy(Map.of("cpu", 1000L), 1);
        h.at(1_000);
        create("s1", spec("one", 1000));
        create("sys", SessionSpec.newBuilder(spec("sys", 2000)).setRole(KernelRole.SYSTEM).build());
        assertEquals(SessionStatus.SCHEDULED, h.last("sys").getSession().getStatus());
        assertTrue(h.kinds("sys").stream().noneMatch(kind -> kind == SessionEventKind.WAITING));
    }
}
