package dev.berth.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.schema.BerthSerdes;
import dev.berth.schema.KernelIds;
import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.schema.avro.CreateKernel;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.schema.avro.SessionType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Each check over recorded topics passes on a history that keeps its invariant and reports the one that breaks it. */
class InvariantsTest {

    /** Loading the serdes makes Avro trust Berth's record classes, which the builders' defaults need. */
    private static final Object TRUSTED = BerthSerdes.SESSION_EVENT;
    private static final Map<String, Map<String, Long>> TWO_CPUS = Map.of("a1", Map.of("cpu", 2_000L, "mem", 1L << 30));
    private static final Set<SessionStatus> NOTHING_ELSE = Set.of();

    @Test
    @DisplayName("invariant 1: slots given back at an end may be placed again at once; one more than the capacity is reported")
    void capacity() {
        List<AgentCommand> commands = List.of(create("a1", "s1", 1_000, 10), create("a1", "s2", 1_000, 11), create("a1", "s3", 1_000, 20));
        List<SessionEvent> events = List.of(event("s1", SessionEventKind.TERMINATED, 3, 20));
        assertEquals(List.of(), Invariants.withinCapacity(commands, events, TWO_CPUS), "s3 takes what s1 gave back at the same instant");

        List<SessionEvent> tooLate = List.of(event("s1", SessionEventKind.TERMINATED, 3, 21));
        List<String> violations = Invariants.withinCapacity(commands, tooLate, TWO_CPUS);
        assertEquals(1, violations.size(), violations.toString());
        assertTrue(violations.getFirst().contains("a1 holds 3000 cpu of 2000"), violations.getFirst());
        assertTrue(Invariants.withinCapacity(commands, events, Map.of()).getFirst().contains("never sent a heartbeat"));
    }

    @Test
    @DisplayName("invariant 1 by the agents' count: a heartbeat over its capacity is reported")
    void heartbeats() {
        assertEquals(List.of(), Invariants.heartbeatsWithinCapacity(List.of(heartbeat("a1", 2_000, List.of("k1")))));
        assertEquals(1, Invariants.heartbeatsWithinCapacity(List.of(heartbeat("a1", 2_500, List.of("k1")))).size());
    }

    @Test
    @DisplayName("invariant 2: a keypair holding more sessions than its concurrency limit at any instant is reported")
    void concurrency() {
        List<SessionEvent> events = new ArrayList<>(List.of(
                event("q1", SessionEventKind.SCHEDULED, 2, 10), event("q2", SessionEventKind.SCHEDULED, 2, 11),
                event("q1", SessionEventKind.TERMINATED, 5, 20), event("q3", SessionEventKind.SCHEDULED, 2, 20)));
        assertEquals(List.of(), Invariants.withinConcurrency(events, "AKTEST", 2));
        events.add(event("q4", SessionEventKind.SCHEDULED, 2, 15));
        List<String> violations = Invariants.withinConcurrency(events, "AKTEST", 2);
        assertEquals(2, violations.size(), "from q4's start until q2 ends: " + violations);
        assertTrue(violations.getFirst().startsWith("3 sessions of AKTEST held at 1970-01-01T00:00:00.015Z"), violations.getFirst());
        assertEquals(List.of(), Invariants.withinConcurrency(events, "AKOTHER", 0), "other keypairs' sessions do not count");
    }

    @Test
    @DisplayName("invariant 3: a kernel created twice is reported")
    void startedOnce() {
        assertEquals(List.of(), Invariants.startedOnce(List.of(create("a1", "s1", 100, 1), create("a1", "s2", 100, 1))));
        assertEquals(List.of("kernel " + KernelIds.of("s1", 0) + " was created 2 times, on [a1, a2]"),
                Invariants.startedOnce(List.of(create("a1", "s1", 100, 1), create("a2", "s1", 100, 2))));
    }

    @Test
    @DisplayName("invariant 3: a lost session, one ended twice, one never settled and one that left its end are reported")
    void settledOnce() {
        List<SessionEvent> good = List.of(event("s1", SessionEventKind.ENQUEUED, 1, 1), event("s1", SessionEventKind.CANCELLED, 2, 2),
                event("s2", SessionEventKind.ENQUEUED, 1, 1), event("s2", SessionEventKind.STARTED, 4, 3));
        assertEquals(List.of(), Invariants.settledOnce(List.of("s1", "s2"), good, Set.of(SessionStatus.RUNNING)));

        assertTrue(Invariants.settledOnce(List.of("s1", "s9"), good, NOTHING_ELSE).getFirst().contains("s9 has no event"));
        assertTrue(Invariants.settledOnce(List.of("s2"), good, NOTHING_ELSE).getFirst().contains("never settled, last RUNNING"));
        List<SessionEvent> twice = List.of(event("s1", SessionEventKind.TERMINATED, 5, 2), event("s1", SessionEventKind.TERMINATED, 6, 3));
        assertTrue(Invariants.settledOnce(List.of("s1"), twice, NOTHING_ELSE).getFirst().contains("ended 2 times"));
        List<SessionEvent> back = List.of(event("s1", SessionEventKind.CANCELLED, 2, 2), event("s1", SessionEventKind.STARTED, 3, 3));
        assertTrue(String.join("\n", Invariants.settledOnce(List.of("s1"), back, Set.of(SessionStatus.RUNNING))).contains("left its terminal state"));
    }

    @Test
    @DisplayName("invariant 5: a repeated or older version, and a status change the lifecycle forbids, are reported")
    void inOrder() {
        List<SessionEvent> good = List.of(event("s1", SessionEventKind.ENQUEUED, 1, 1), event("s1", SessionEventKind.SCHEDULED, 2, 2),
                event("s1", SessionEventKind.PREPARING, 3, 3), event("s1", SessionEventKind.STARTED, 5, 3), event("s1", SessionEventKind.TERMINATING, 6, 4), event("s1", SessionEventKind.TERMINATED, 8, 5));
        assertEquals(List.of(), Invariants.inOrder(good));
        List<SessionEvent> repeated = List.of(good.get(0), good.get(1), good.get(1));
        assertEquals(List.of("session s1: version 2 after 2"), Invariants.inOrder(repeated));
        List<SessionEvent> backwards = List.of(good.get(0), good.get(3), good.get(1));
        assertEquals(List.of("session s1: PENDING -> RUNNING is not a transition", "session s1: version 2 after 5",
                "session s1: RUNNING -> SCHEDULED is not a transition"), Invariants.inOrder(backwards));
    }

    @Test
    @DisplayName("invariant 4: an allocation never released, and an agent still running a kernel, are reported")
    void reconciled() {
        List<AgentCommand> commands = List.of(create("a1", "s1", 1_000, 1), create("a1", "s2", 500, 2));
        List<SessionEvent> ended = List.of(event("s1", SessionEventKind.TERMINATED, 5, 3), event("s2", SessionEventKind.CANCELLED, 2, 3));
        Map<String, AgentHeartbeat> idle = Map.of("a1", heartbeat("a1", 0, List.of()));
        assertEquals(List.of(), Invariants.reconciled(commands, ended, idle));
        assertEquals(List.of("a1 still has 500 cpu allocated and not released"), Invariants.reconciled(commands, ended.subList(0, 1), idle));
        assertEquals(List.of("a1 still runs [k9]", "a1 still reports 100 cpu occupied"),
                Invariants.reconciled(commands, ended, Map.of("a1", heartbeat("a1", 100, List.of("k9")))));
    }

    private static AgentCommand create(String agent, String session, long cpu, long atMs) {
        String kernel = KernelIds.of(session, 0);
        return AgentCommand.newBuilder().setCommandId(kernel + ":create").setAgentId(agent).setAt(Instant.ofEpochMilli(atMs))
                .setOp(CreateKernel.newBuilder().setKernelId(kernel).setSessionId(session).setSessionName(session)
                        .setSessionType(SessionType.INTERACTIVE).setImage("x").setArchitecture("x86_64").setResources(Map.of("cpu", cpu))
                        .setClusterRole("main").setClusterIdx(1).setClusterHostname("main1").build())
                .build();
    }

    private static SessionEvent event(String session, SessionEventKind kind, long version, long atMs) {
        SessionStatus status = switch (kind) {
            case ENQUEUED, WAITING, RENAMED -> SessionStatus.PENDING;
            case STARTED -> SessionStatus.RUNNING;
            default -> SessionStatus.valueOf(kind.name());
        };
        Instant at = Instant.ofEpochMilli(atMs);
        Session state = Session.newBuilder().setSessionId(session).setAccessKey("AKTEST")
                .setSpec(SessionSpec.newBuilder().setName(session).setImage("x").setResources(Map.of("cpu", 1_000L)).build())
                .setStatus(status).setStatusHistory(Map.of(status.name(), atMs)).setCreatedAt(at).setKernels(List.of())
                .setVersion(version).build();
        return SessionEvent.newBuilder().setSessionId(session).setAt(at).setKind(kind).setSession(state).build();
    }

    private static AgentHeartbeat heartbeat(String agent, long occupiedCpu, List<String> kernels) {
        return AgentHeartbeat.newBuilder().setAgentId(agent).setAt(Instant.EPOCH).setAddress("127.0.0.1").setRuntime("simulated")
                .setVersion("test").setCapacity(TWO_CPUS.get(agent))
                .setOccupied(occupiedCpu == 0 ? Map.of() : Map.of("cpu", occupiedCpu)).setKernels(kernels).build();
    }
}
