package dev.berth.topology;

import static dev.berth.topology.Fixtures.GIB;
import static dev.berth.topology.Fixtures.heartbeat;
import static dev.berth.topology.Fixtures.kernelEvent;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.ClusterMode;
import dev.berth.schema.avro.DestroySession;
import dev.berth.schema.avro.KernelEventKind;
import dev.berth.schema.avro.LimitScope;
import dev.berth.schema.avro.PredicateFailure;
import dev.berth.schema.avro.ResourceLimits;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionRequest;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.schema.avro.SessionType;
import dev.berth.topology.admission.AdmissionOptions;
import dev.berth.topology.admission.Predicates;
import dev.berth.topology.placement.GroupSettings;
import dev.berth.topology.placement.PlacementOptions;
import dev.berth.topology.placement.PlacementOptions.GroupOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions are created at 2 s with a 10 s timeout, so each must be cancelled at 12 s: checks run
 * on whole seconds, and one 10 ms earlier must still find the session PENDING.
 */
@DisplayName("SCH-03/AMB-11 the pending timeout counts from creation, wherever the session waits")
class PendingTimeoutFromCreationTest {

    private static final long CREATED = 2_000;
    private static final long DEADLINE = CREATED + 10_000;

    @TempDir Path stateDir;
    private SchedulerHarness h;
    private TestOutputTopic<String, SessionRequest> requestsOut;

    @BeforeEach
    void start() {
        h = new SchedulerHarness(stateDir, AdmissionOptions.DEFAULTS,
                PlacementOptions.DEFAULTS.withGroupDefaults(GroupOptions.DEFAULTS.withPendingTimeout(Duration.ofMillis(DEADLINE - CREATED))));
        requestsOut = h.driver.createOutputTopic(h.topics.sessionRequests.name(), BerthSerdes.KEY.deserializer(), BerthSerdes.SESSION_REQUEST);
        h.heartbeats.pipeInput("a1", heartbeat("a1", 16_000, 64 * GIB, 0), 0);
        h.limits.pipeInput("keypair-policy:default", ResourceLimits.newBuilder().setScope(LimitScope.KEYPAIR_POLICY).setId("default")
                .setMaxConcurrentSessions(1).build(), 0);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    @DisplayName("a session held by its keypair's concurrency is cancelled pending-timeout at creation + timeout, not before")
    void heldByQuota() {
        h.at(1_000);
        create("s1", small(), h.now());
        h.at(CREATED - 10);
        create("s2", small(), CREATED);
        assertEquals(List.of(Predicates.CONCURRENCY), failed("s2"));

        h.at(DEADLINE - 20);
        assertEquals(SessionStatus.PENDING, h.last("s2").getSession().getStatus());
        h.at(DEADLINE);
        assertCancelledOnce("s2");
        assertEquals(SessionStatus.SCHEDULED, h.last("s1").getSession().getStatus());
    }

    @Test
    @DisplayName("a session waiting on a dependency admission never saw is cancelled pending-timeout at creation + timeout")
    void heldByUnknownDependency() {
        h.at(CREATED - 10);
        create("s1", SessionSpec.newBuilder(small()).setDependencies(List.of("ghost")).build(), CREATED);
        assertEquals(List.of(Predicates.DEPENDENCIES), failed("s1"));

        h.at(DEADLINE - 20);
        assertEquals(SessionStatus.PENDING, h.last("s1").getSession().getStatus());
        h.at(DEADLINE);
        assertCancelledOnce("s1");
    }

    @Test
    @DisplayName("a session admitted late keeps its creation time: placement times it out from creation, not from admission")
    void admittedLate() {
        h.at(1_000);
        create("s1", small(), h.now());
        h.at(CREATED - 10);
        // more cpu than the agent has: once admitted, it waits in placement's queue
        create("big", Fixtures.spec("big", 32_000, GIB, 1, ClusterMode.SINGLE_NODE, SessionType.INTERACTIVE), CREATED);
        assertEquals(List.of(Predicates.CONCURRENCY), failed("big"));

        h.at(6_000);
        h.kernelEvents.pipeInput("s1", kernelEvent("s1", 0, "a1", KernelEventKind.STARTED, null, null, h.now()), h.now());
        h.kernelEvents.pipeInput("s1", kernelEvent("s1", 0, "a1", KernelEventKind.TERMINATED, 0, "self-terminated", h.now()), h.now());
        h.at(h.now() + 5);
        assertEquals("no-available-instances", h.last("big").getSession().getStatusInfo(), "admitted when s1 ended");

        h.at(DEADLINE - 20);
        assertEquals(SessionStatus.PENDING, h.last("big").getSession().getStatus());
        h.at(DEADLINE);
        assertCancelledOnce("big");
    }

    /** A method, not a constant: Avro accepts our records only once BerthSerdes is loaded. */
    private static SessionSpec small() {
        return Fixtures.spec("small", 1000, GIB, 1, ClusterMode.SINGLE_NODE, SessionType.INTERACTIVE);
    }

    /** The request carries the creation time: the lifecycle and admission both count from it. */
    private void create(String id, SessionSpec spec, long createdMs) {
        h.requests.pipeInput(id, Fixtures.create(id, spec, createdMs), createdMs);
        h.at(h.now() + 5);
    }

    private List<String> failed(String sessionId) {
        return h.last(sessionId).getSession().getScheduler().getFailedPredicates().stream().map(PredicateFailure::getName).toList();
    }

    /** CANCELLED with pending-timeout, and asked for once: neither stage fires again later. */
    private void assertCancelledOnce(String sessionId) {
        SessionEvent last = h.last(sessionId);
        assertEquals(SessionStatus.CANCELLED, last.getSession().getStatus());
        assertEquals(GroupSettings.PENDING_TIMEOUT, last.getSession().getStatusInfo());
        h.at(h.now() + 3_000);
        long asked = requestsOut.readValuesToList().stream()
                .filter(request -> request.getSessionId().equals(sessionId))
                .filter(request -> request.getOp() instanceof DestroySession destroy && destroy.getReason().equals(GroupSettings.PENDING_TIMEOUT))
                .count();
        assertEquals(1, asked);
    }
}
