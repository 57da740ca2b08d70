package dev.berth.topology.lifecycle;

import static dev.berth.topology.Fixtures.GIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.schema.BerthSerdes;
import dev.berth.schema.KernelIds;
import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.ClusterMode;
import dev.berth.schema.avro.CreateSession;
import dev.berth.schema.avro.DestroyKernel;
import dev.berth.schema.avro.DestroySession;
import dev.berth.schema.avro.KernelBinding;
import dev.berth.schema.avro.KernelEventKind;
import dev.berth.schema.avro.KernelInfo;
import dev.berth.schema.avro.KernelStatus;
import dev.berth.schema.avro.RenameSession;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionPlaced;
import dev.berth.schema.avro.SessionResult;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.schema.avro.SessionType;
import dev.berth.topology.Fixtures;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Lifecycle.decide: the per-session state machine, without Kafka")
class LifecycleTest {

    private static final String SESSION = "sess-1";
    private static final long T0 = 1_700_000_000_000L;

    /**
     * Avro 1.12 builds Berth records (enum defaults, deep copies) only from trusted packages, and BerthSerdes is
     * what trusts them: every service loads it before deciding anything, so this test does the same.
     */
    @BeforeAll
    static void loadBerthSerdes() {
        BerthSerdes.SESSION.type();
    }

    @Nested
    @DisplayName("create")
    class Create {

        @Test
        @DisplayName("SES-04 a create makes a PENDING session with N kernels main1, sub1, sub2 and an ENQUEUED event, version 1")
        void creates() {
            // when
            Lifecycle.Decision decision = Lifecycle.decide(null, create(3, ClusterMode.MULTI_NODE, SessionType.INTERACTIVE), T0);
            // then
            Session session = decision.next();
            assertEquals(SessionStatus.PENDING, session.getStatus());
            assertEquals(1, session.getVersion());
            assertEquals(Instant.ofEpochMilli(T0), session.getCreatedAt());
            assertEquals(Map.of("PENDING", T0), session.getStatusHistory());
            assertNull(session.getTerminatedAt());
            assertEquals(SessionResult.UNDEFINED, session.getResult());
            assertEquals(List.of("main1", "sub1", "sub2"), session.getKernels().stream().map(KernelInfo::getClusterHostname).toList());
            assertEquals(List.of("main", "sub", "sub"), session.getKernels().stream().map(KernelInfo::getClusterRole).toList());
            assertEquals(List.of(1, 1, 2), session.getKernels().stream().map(KernelInfo::getClusterIdx).toList());
            for (int i = 0; i < 3; i++) {
                KernelInfo kernel = session.getKernels().get(i);
                assertEquals(KernelIds.of(SESSION, i), kernel.getKernelId());
                assertEquals(KernelStatus.PENDING, kernel.getStatus());
                assertNull(kernel.getAgentId());
            }
            SessionEvent event = onlyEvent(decision);
            assertEquals(SessionEventKind.ENQUEUED, event.getKind());
            assertEquals(SESSION, event.getSessionId());
            assertEquals(Instant.ofEpochMilli(T0), event.getAt());
            assertSame(session, event.getSession());
            assertEquals(List.of(), decision.commands());
        }

        @Test
        @DisplayName("a redelivered create of an existing session changes nothing")
        void duplicate() {
            // given
            Session existing = pending(1);
            // when
            Lifecycle.Decision decision = Lifecycle.decide(existing, create(1, ClusterMode.SINGLE_NODE, SessionType.INTERACTIVE), T0 + 5);
            // then
            assertNoChange(decision);
        }

        @Test
        @DisplayName("anything but a create for an unknown session changes nothing")
        void unknownSession() {
            assertNoChange(Lifecycle.decide(null, destroy(true), T0));
            assertNoChange(Lifecycle.decide(null, rename("x"), T0));
            assertNoChange(Lifecycle.decide(null, kernel(0, KernelEventKind.STARTED, null), T0));
        }
    }

    @Nested
    @DisplayName("destroy (API-14, API-15)")
    class Destroy {

        @Test
        @DisplayName("API-14 SES-12 destroy of a PENDING session cancels it, with terminatedAt and both statuses in the history")
        void pendingIsCancelled() {
            // given
            Session pending = pending(2);
            // when
            Lifecycle.Decision decision = Lifecycle.decide(pending, destroy(false), T0 + 10);
            // then
            Session next = decision.next();
            assertEquals(SessionStatus.CANCELLED, next.getStatus());
            assertEquals(Instant.ofEpochMilli(T0 + 10), next.getTerminatedAt());
            assertEquals(Map.of("PENDING", T0, "CANCELLED", T0 + 10), next.getStatusHistory());
            assertEquals("user-requested", next.getStatusInfo());
            assertTrue(next.getKernels().stream().allMatch(k -> k.getStatus() == KernelStatus.CANCELLED));
            assertEquals(SessionEventKind.CANCELLED, onlyEvent(decision).getKind());
            assertEquals(List.of(), decision.commands(), "no kernel has an agent yet");
        }

        @Test
        @DisplayName("API-15 destroy of a RUNNING session → TERMINATING and one DestroyKernel per kernel, to its agent")
        void runningTerminates() {
            // given
            Session running = running(2, SessionType.INTERACTIVE, "agent-a", "agent-b");
            // when
            Lifecycle.Decision decision = Lifecycle.decide(running, destroy(false), T0 + 100);
            // then
            Session next = decision.next();
            assertEquals(SessionStatus.TERMINATING, next.getStatus());
            assertNull(next.getTerminatedAt());
            assertTrue(next.getKernels().stream().allMatch(k -> k.getStatus() == KernelStatus.TERMINATING));
            assertEquals(SessionEventKind.TERMINATING, onlyEvent(decision).getKind());
            assertDestroys(decision, Map.of(KernelIds.of(SESSION, 0), "agent-a", KernelIds.of(SESSION, 1), "agent-b"));
        }

        @Test
        @DisplayName("API-15 a kernel without an agent gets no DestroyKernel")
        void onlyKernelsWithAnAgent() {
            // given: a running session whose second kernel lost its agent binding
            Session running = running(2, SessionType.INTERACTIVE, "agent-a", "agent-b");
            Session oneAgent = Session.newBuilder(running).build();
            oneAgent.getKernels().get(1).setAgentId(null);
            // when
            Lifecycle.Decision decision = Lifecycle.decide(oneAgent, destroy(false), T0 + 100);
            // then
            assertDestroys(decision, Map.of(KernelIds.of(SESSION, 0), "agent-a"));
        }

        @Test
        @DisplayName("API-14 destroy of a SCHEDULED session without force changes nothing")
        void scheduledUnforced() {
            assertNoChange(Lifecycle.decide(scheduled(2, "agent-a", "agent-a"), destroy(false), T0 + 10));
        }

        @Test
        @DisplayName("API-14 API-15 forced destroy of a SCHEDULED session → TERMINATED at once, plus DestroyKernel per kernel")
        void scheduledForced() {
            // given
            Session scheduled = scheduled(2, "agent-a", "agent-b");
            // when
            Lifecycle.Decision decision = Lifecycle.decide(scheduled, destroy(true), T0 + 10);
            // then
            Session next = decision.next();
            assertEquals(SessionStatus.TERMINATED, next.getStatus());
            assertEquals(Instant.ofEpochMilli(T0 + 10), next.getTerminatedAt());
            assertTrue(next.getKernels().stream().allMatch(k -> k.getStatus() == KernelStatus.TERMINATED));
            assertEquals(SessionEventKind.TERMINATED, onlyEvent(decision).getKind());
            assertDestroys(decision, Map.of(KernelIds.of(SESSION, 0), "agent-a", KernelIds.of(SESSION, 1), "agent-b"));
        }

        @ParameterizedTest(name = "forced = {0}")
        @ValueSource(booleans = {false, true})
        @DisplayName("API-14 destroy of a PULLING session changes nothing, even forced")
        void pullingNever(boolean forced) {
            assertNoChange(Lifecycle.decide(pulling(1), destroy(forced), T0 + 10));
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = SessionStatus.class, names = {"SCHEDULED", "PREPARING", "TERMINATING", "ERROR"})
        @DisplayName("API-14 SCHEDULED, PREPARING, TERMINATING, ERROR: unforced → nothing, forced → TERMINATED")
        void forbiddenUnlessForced(SessionStatus status) {
            // given
            Session session = inStatus(scheduled(1, "agent-a"), status);
            // when
            Lifecycle.Decision unforced = Lifecycle.decide(session, destroy(false), T0 + 10);
            Lifecycle.Decision forced = Lifecycle.decide(session, destroy(true), T0 + 10);
            // then
            assertNoChange(unforced);
            assertEquals(SessionStatus.TERMINATED, forced.next().getStatus());
            assertEquals(1, forced.commands().size());
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = SessionStatus.class, names = {"TERMINATED", "CANCELLED"})
        @DisplayName("destroy of a dead session changes nothing, even forced")
        void deadStaysDead(SessionStatus status) {
            Session session = inStatus(scheduled(1, "agent-a"), status);
            assertNoChange(Lifecycle.decide(session, destroy(true), T0 + 10));
            assertNoChange(Lifecycle.decide(session, destroy(false), T0 + 10));
        }
    }

    @Nested
    @DisplayName("placement")
    class Placement {

        @Test
        @DisplayName("SCH-15 a placement binds each kernel to its agent and schedules the session")
        void schedules() {
            // given
            Session pending = pending(2);
            // when
            Lifecycle.Decision decision = Lifecycle.decide(pending, placed(pending, "agent-a", "agent-b"), T0 + 5);
            // then
            Session next = decision.next();
            assertEquals(SessionStatus.SCHEDULED, next.getStatus());
            assertEquals("scheduled", next.getStatusInfo());
            assertEquals(List.of("agent-a", "agent-b"), next.getKernels().stream().map(KernelInfo::getAgentId).toList());
            assertTrue(next.getKernels().stream().allMatch(k -> k.getStatus() == KernelStatus.SCHEDULED));
            assertEquals(SessionEventKind.SCHEDULED, onlyEvent(decision).getKind());
        }

        @Test
        @DisplayName("SES-17 a placement that arrives after the session was cancelled changes nothing")
        void cancelledIgnoresPlacement() {
            // given
            Session pending = pending(1);
            Session cancelled = Lifecycle.decide(pending, destroy(false), T0 + 1).next();
            // when
            Lifecycle.Decision decision = Lifecycle.decide(cancelled, placed(pending, "agent-a"), T0 + 2);
            // then
            assertNoChange(decision);
        }

        @Test
        @DisplayName("a redelivered placement of a SCHEDULED session changes nothing")
        void duplicate() {
            Session scheduled = scheduled(1, "agent-a");
            assertNoChange(Lifecycle.decide(scheduled, placed(scheduled, "agent-a"), T0 + 9));
        }
    }

    @Nested
    @DisplayName("kernel events")
    class KernelEvents {

        @Test
        @DisplayName("SCH-22 pulling, creating and started move kernel and session through PULLING, PREPARING, RUNNING")
        void happyPath() {
            // given
            Session session = scheduled(1, "agent-a");
            // when / then
            session = expectSession(session, kernel(0, KernelEventKind.PULLING, null), SessionStatus.PULLING, SessionEventKind.PULLING);
            session = expectSession(session, kernel(0, KernelEventKind.CREATING, null), SessionStatus.PREPARING, SessionEventKind.PREPARING);
            session = expectSession(session, kernel(0, KernelEventKind.STARTED, null), SessionStatus.RUNNING, SessionEventKind.STARTED);
            assertEquals(KernelStatus.RUNNING, session.getKernels().get(0).getStatus());
        }

        @Test
        @DisplayName("SCH-20 a multi-kernel session is RUNNING only when every kernel started; earlier changes bump the version silently")
        void runningWaitsForSiblings() {
            // given: both kernels preparing
            Session session = preparing(2);
            // when: the main kernel starts
            Lifecycle.Decision first = Lifecycle.decide(session, kernel(0, KernelEventKind.STARTED, null), T0 + 50);
            // then: the session is still preparing, with the kernel recorded
            assertEquals(SessionStatus.PREPARING, first.next().getStatus());
            assertEquals(KernelStatus.RUNNING, first.next().getKernels().get(0).getStatus());
            assertEquals(session.getVersion() + 1, first.next().getVersion());
            assertEquals(List.of(), first.events());
            // when: the sibling starts
            Lifecycle.Decision second = Lifecycle.decide(first.next(), kernel(1, KernelEventKind.STARTED, null), T0 + 60);
            // then
            assertEquals(SessionStatus.RUNNING, second.next().getStatus());
            assertEquals(SessionEventKind.STARTED, onlyEvent(second).getKind());
        }

        @Test
        @DisplayName("an event for a kernel id the session does not have changes nothing")
        void unknownKernel() {
            // given
            Session session = scheduled(1, "agent-a");
            LifecycleInput stranger = new LifecycleInput.KernelChanged(
                    Fixtures.kernelEvent("another-session", 0, "agent-a", KernelEventKind.PULLING, null, null, T0 + 20));
            // when / then
            assertNoChange(Lifecycle.decide(session, stranger, T0 + 20));
        }

        @Test
        @DisplayName("SES-13 SES-17 an illegal kernel transition (RUNNING → PULLING) is ignored silently")
        void illegalKernelTransition() {
            assertNoChange(Lifecycle.decide(running(1, SessionType.INTERACTIVE, "agent-a"), kernel(0, KernelEventKind.PULLING, null), T0 + 500));
        }

        @Test
        @DisplayName("a redelivered STARTED for a running kernel changes nothing")
        void duplicateStarted() {
            assertNoChange(Lifecycle.decide(running(1, SessionType.INTERACTIVE, "agent-a"), kernel(0, KernelEventKind.STARTED, null), T0 + 500));
        }

        @Test
        @DisplayName("SES-15 SES-17 a derived status the session map forbids (SCHEDULED → RUNNING) updates the kernel only")
        void derivedButForbidden() {
            // given
            Session scheduled = scheduled(1, "agent-a");
            // when: the agent reports STARTED without PULLING or CREATING first
            Lifecycle.Decision decision = Lifecycle.decide(scheduled, kernel(0, KernelEventKind.STARTED, null), T0 + 30);
            // then
            assertEquals(SessionStatus.SCHEDULED, decision.next().getStatus());
            assertEquals(KernelStatus.RUNNING, decision.next().getKernels().get(0).getStatus());
            assertEquals(List.of(), decision.events());
        }

        @Test
        @DisplayName("SES-22 TERMINATED for a RESTARTING kernel is skipped silently")
        void restartingNotMarkedTerminated() {
            // given
            Session running = running(1, SessionType.INTERACTIVE, "agent-a");
            Session restarting = Session.newBuilder(running).setStatus(SessionStatus.RESTARTING).build();
            restarting.getKernels().get(0).setStatus(KernelStatus.RESTARTING);
            // when / then
            assertNoChange(Lifecycle.decide(restarting, kernel(0, KernelEventKind.TERMINATED, 0), T0 + 600));
        }

        @Test
        @DisplayName("SES-12 SES-22 the main kernel terminating ends the session: TERMINATED, terminatedAt, exit code and container kept")
        void terminated() {
            // given
            Session running = running(1, SessionType.INTERACTIVE, "agent-a");
            LifecycleInput exited = new LifecycleInput.KernelChanged(Fixtures.kernelEvent(SESSION, 0, "agent-a",
                    KernelEventKind.TERMINATED, 3, "self-terminated", T0 + 700));
            // when
            Lifecycle.Decision decision = Lifecycle.decide(running, exited, T0 + 700);
            // then
            Session next = decision.next();
            assertEquals(SessionStatus.TERMINATED, next.getStatus());
            assertEquals(Instant.ofEpochMilli(T0 + 700), next.getTerminatedAt());
            assertEquals(3, next.getKernels().get(0).getExitCode());
            assertEquals("self-terminated", next.getStatusInfo());
            assertEquals(SessionEventKind.TERMINATED, onlyEvent(decision).getKind());
            assertEquals("self-terminated", onlyEvent(decision).getReason());
            assertEquals(SessionResult.UNDEFINED, next.getResult(), "only batch sessions have a result");
        }

        @Test
        @DisplayName("SES-20 a batch session whose main kernel exits 0 ends with result SUCCESS")
        void batchSuccess() {
            Session running = running(1, SessionType.BATCH, "agent-a");
            Session next = Lifecycle.decide(running, kernel(0, KernelEventKind.TERMINATED, 0), T0 + 700).next();
            assertEquals(SessionStatus.TERMINATED, next.getStatus());
            assertEquals(SessionResult.SUCCESS, next.getResult());
        }

        @Test
        @DisplayName("SES-20 a batch session whose main kernel exits non-zero ends with result FAILURE")
        void batchFailure() {
            Session running = running(1, SessionType.BATCH, "agent-a");
            Session next = Lifecycle.decide(running, kernel(0, KernelEventKind.TERMINATED, 1), T0 + 700).next();
            assertEquals(SessionResult.FAILURE, next.getResult());
        }

        @Test
        @DisplayName("SES-19/SCH-19 a kernel that fails to start cancels the session, and the agent's words reach the session")
        void failedStartCarriesTheError() {
            Session scheduled = scheduled(1, "agent-a");
            var failed = dev.berth.schema.avro.KernelEvent.newBuilder(Fixtures.kernelEvent(SESSION, 0, "agent-a", KernelEventKind.CANCELLED, null,
                    "failed-to-start", T0 + 30)).setError("image registry.local/nope:1 not found").build();
            Lifecycle.Decision decision = Lifecycle.decide(scheduled, new LifecycleInput.KernelChanged(failed), T0 + 30);
            assertEquals(SessionStatus.CANCELLED, decision.next().getStatus());
            assertEquals("failed-to-start", decision.next().getStatusInfo());
            assertEquals("image registry.local/nope:1 not found", decision.next().getError());
            assertEquals("image registry.local/nope:1 not found", onlyEvent(decision).getSession().getError());
        }
    }

    @Nested
    @DisplayName("rename")
    class Rename {

        @Test
        @DisplayName("a rename changes the name, keeps the status and emits RENAMED")
        void renames() {
            // given
            Session running = running(1, SessionType.INTERACTIVE, "agent-a");
            // when
            Lifecycle.Decision decision = Lifecycle.decide(running, rename("renamed"), T0 + 900);
            // then
            assertEquals("renamed", decision.next().getSpec().getName());
            assertEquals(SessionStatus.RUNNING, decision.next().getStatus());
            assertEquals(running.getVersion() + 1, decision.next().getVersion());
            assertEquals(SessionEventKind.RENAMED, onlyEvent(decision).getKind());
            assertEquals(List.of(), decision.commands());
        }

        @Test
        @DisplayName("a dead session cannot be renamed")
        void deadNotRenamed() {
            Session cancelled = Lifecycle.decide(pending(1), destroy(false), T0 + 1).next();
            assertNoChange(Lifecycle.decide(cancelled, rename("renamed"), T0 + 2));
        }
    }

    @Test
    @DisplayName("every change bumps the version by exactly one, from create to termination")
    void versionBumps() {
        // given: every input of a session's life, in order
        Session pending = pending(2);
        List<LifecycleInput> life = List.of(
                placed(pending, "agent-a", "agent-b"),
                kernel(0, KernelEventKind.PULLING, null), kernel(1, KernelEventKind.PULLING, null),
                kernel(0, KernelEventKind.CREATING, null), kernel(1, KernelEventKind.CREATING, null),
                kernel(0, KernelEventKind.STARTED, null), kernel(1, KernelEventKind.STARTED, null),
                rename("renamed"),
                destroy(false),
                kernel(1, KernelEventKind.TERMINATED, 0), kernel(0, KernelEventKind.TERMINATED, 0));
        Session session = pending;
        List<SessionStatus> statuses = new ArrayList<>();
        long now = T0;
        for (LifecycleInput input : life) {
            // when
            Lifecycle.Decision decision = Lifecycle.decide(session, input, ++now);
            // then
            assertTrue(decision.changed(), "no change on " + input);
            assertEquals(session.getVersion() + 1, decision.next().getVersion(), "version after " + input);
            for (SessionEvent event : decision.events()) assertEquals(decision.next().getVersion(), event.getSession().getVersion());
            session = decision.next();
            statuses.add(session.getStatus());
        }
        assertEquals(1 + life.size(), session.getVersion());
        assertEquals(SessionStatus.TERMINATED, session.getStatus());
        assertEquals(List.of(SessionStatus.SCHEDULED, SessionStatus.PULLING, SessionStatus.PULLING, SessionStatus.PREPARING,
                SessionStatus.PREPARING, SessionStatus.PREPARING, SessionStatus.RUNNING, SessionStatus.RUNNING,
                SessionStatus.TERMINATING, SessionStatus.TERMINATING, SessionStatus.TERMINATED), statuses);
    }

    @Test
    @DisplayName("decide never changes the session it is given (stores share it with published events)")
    void inputUntouched() {
        // given
        Session running = running(2, SessionType.BATCH, "agent-a", "agent-b");
        Session snapshot = Session.newBuilder(running).build();
        // when
        Lifecycle.decide(running, rename("renamed"), T0 + 1);
        Lifecycle.decide(running, destroy(true), T0 + 2);
        Lifecycle.decide(running, kernel(0, KernelEventKind.TERMINATED, 0), T0 + 3);
        // then
        assertEquals(snapshot, running);
    }

    // ---- inputs

    private static LifecycleInput create(int clusterSize, ClusterMode mode, SessionType type) {
        return new LifecycleInput.Create(SESSION, "AKTEST",
                new CreateSession(Fixtures.spec("notebook", 1000, GIB, clusterSize, mode, type)));
    }

    private static LifecycleInput destroy(boolean forced) {
        return new LifecycleInput.Destroy(new DestroySession(forced, "user-requested"));
    }

    private static LifecycleInput rename(String name) {
        return new LifecycleInput.Rename(new RenameSession(name));
    }

    private static LifecycleInput kernel(int index, KernelEventKind kind, Integer exitCode) {
        return new LifecycleInput.KernelChanged(Fixtures.kernelEvent(SESSION, index, agentOf(index), kind, exitCode, null, T0));
    }

    /** The agents the fixtures bind kernels to: kernel 0 on agent-a, the others on agent-b. */
    private static String agentOf(int index) {
        return index == 0 ? "agent-a" : "agent-b";
    }

    /** Kernel i goes to agents[i]. */
    private static LifecycleInput placed(Session session, String... agents) {
        List<KernelBinding> bindings = new ArrayList<>();
        for (int i = 0; i < agents.length; i++) {
            bindings.add(new KernelBinding(session.getKernels().get(i).getKernelId(), agents[i], session.getSpec().getResources()));
        }
        return new LifecycleInput.Placed(new SessionPlaced(SESSION, Instant.ofEpochMilli(T0), "default", "AKTEST", bindings));
    }

    // ---- sessions in a given status, reached through decide itself

    private static Session pending(int kernels) {
        ClusterMode mode = kernels > 1 ? ClusterMode.MULTI_NODE : ClusterMode.SINGLE_NODE;
        return Lifecycle.decide(null, create(kernels, mode, SessionType.INTERACTIVE), T0).next();
    }

    private static Session scheduled(int kernels, String... agents) {
        Session pending = pending(kernels);
        return Lifecycle.decide(pending, placed(pending, agents), T0 + 1).next();
    }

    private static Session pulling(int kernels) {
        Session session = scheduled(kernels, agents(kernels));
        for (int i = 0; i < kernels; i++) session = Lifecycle.decide(session, kernel(i, KernelEventKind.PULLING, null), T0 + 2).next();
        return session;
    }

    private static Session preparing(int kernels) {
        Session session = pulling(kernels);
        for (int i = 0; i < kernels; i++) session = Lifecycle.decide(session, kernel(i, KernelEventKind.CREATING, null), T0 + 3).next();
        return session;
    }

    private static Session running(int kernels, SessionType type, String... agents) {
        ClusterMode mode = kernels > 1 ? ClusterMode.MULTI_NODE : ClusterMode.SINGLE_NODE;
        Session session = Lifecycle.decide(null, create(kernels, mode, type), T0).next();
        session = Lifecycle.decide(session, placed(session, agents), T0 + 1).next();
        for (KernelEventKind kind : List.of(KernelEventKind.PULLING, KernelEventKind.CREATING, KernelEventKind.STARTED)) {
            for (int i = 0; i < kernels; i++) session = Lifecycle.decide(session, kernel(i, kind, null), T0 + 4).next();
        }
        assertEquals(SessionStatus.RUNNING, session.getStatus(), "test setup");
        return session;
    }

    private static String[] agents(int kernels) {
        String[] agents = new String[kernels];
        for (int i = 0; i < kernels; i++) agents[i] = agentOf(i);
        return agents;
    }

    /** A status no input reaches on its own (ERROR) or that needs a detour, set directly. */
    private static Session inStatus(Session session, SessionStatus status) {
        return Session.newBuilder(session).setStatus(status).build();
    }

    // ---- assertions

    private static Session expectSession(Session session, LifecycleInput input, SessionStatus status, SessionEventKind kind) {
        Lifecycle.Decision decision = Lifecycle.decide(session, input, T0 + 10);
        assertEquals(status, decision.next().getStatus());
        assertEquals(kind, onlyEvent(decision).getKind());
        return decision.next();
    }

    private static void assertNoChange(Lifecycle.Decision decision) {
        assertFalse(decision.changed());
        assertNull(decision.next());
        assertEquals(List.of(), decision.events());
        assertEquals(List.of(), decision.commands());
    }

    private static SessionEvent onlyEvent(Lifecycle.Decision decision) {
        assertEquals(1, decision.events().size(), "events: " + decision.events());
        SessionEvent event = decision.events().get(0);
        assertSame(decision.next(), event.getSession());
        return event;
    }

    /** One DestroyKernel per expected kernel, addressed to its agent. */
    private static void assertDestroys(Lifecycle.Decision decision, Map<String, String> agentByKernel) {
        assertEquals(agentByKernel.size(), decision.commands().size(), "commands: " + decision.commands());
        for (AgentCommand command : decision.commands()) {
            DestroyKernel op = assertInstanceOf(DestroyKernel.class, command.getOp());
            assertEquals(agentByKernel.get(op.getKernelId()), command.getAgentId(), op.getKernelId());
            assertEquals(SESSION, op.getSessionId());
            assertEquals("user-requested", op.getReason());
        }
    }
}
