package dev.berth.topology;

import static dev.berth.topology.Fixtures.GIB;
import static dev.berth.topology.Fixtures.heartbeat;
import static dev.berth.topology.Fixtures.kernelEvent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.schema.KernelIds;
import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.schema.avro.ClusterMode;
import dev.berth.schema.avro.CreateKernel;
import dev.berth.schema.avro.DestroyKernel;
import dev.berth.schema.avro.KernelEventKind;
import dev.berth.schema.avro.KernelStatus;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.schema.avro.SessionType;
import dev.berth.topology.admission.AdmissionOptions;
import dev.berth.topology.placement.PlacementOptions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Agent loss: a silent agent's sessions end in ERROR or, for batch sessions with retries left, are placed again")
class AgentLossTest {

    private static final long LOST_AFTER = PlacementOptions.DEFAULTS.lostAfter().toMillis();

    @TempDir Path stateDir;
    private SchedulerHarness h;

    @BeforeEach
    void start() {
        h = new SchedulerHarness(stateDir, AdmissionOptions.DEFAULTS, PlacementOptions.DEFAULTS);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    /** Keeps the named agents heartbeating every 10 s up to {@code untilMs}; the others fall silent. */
    private void liveUntil(long untilMs, String... agents) {
        while (h.now() < untilMs) {
            long next = Math.min(untilMs, h.now() + 10_000);
            for (String agent : agents) h.heartbeats.pipeInput(agent, heartbeat(agent, 4_000, 8 * GIB, next), next);
            h.at(next);
        }
    }

    private void create(String id, SessionSpec spec) {
        h.requests.pipeInput(id, Fixtures.create(id, spec, h.now()), h.now());
        h.at(h.now() + 5);
    }

    private List<CreateKernel> creates() {
        return h.commands.readValuesToList().stream().map(AgentCommand::getOp)
                .filter(CreateKernel.class::isInstance).map(CreateKernel.class::cast).toList();
    }

    @Test
    @DisplayName("an interactive session on a lost agent ends in ERROR with agent-lost; its kernel elsewhere is destroyed")
    void interactiveEndsInError() {
        h.heartbeats.pipeInput("a1", heartbeat("a1", 1_000, 8 * GIB, 0), 0);
        h.heartbeats.pipeInput("a2", heartbeat("a2", 1_000, 8 * GIB, 0), 0);
        h.at(1_000);
        // two kernels of one cpu each on two one-cpu agents: one on each
        create("s1", Fixtures.spec("pair", 1_000, GIB, 2, ClusterMode.MULTI_NODE, SessionType.INTERACTIVE));
        assertEquals(2, creates().size());
        SessionEvent scheduled = h.last("s1");
        String lostAgent = scheduled.getSession().getKernels().get(0).getAgentId();
        String otherAgent = scheduled.getSession().getKernels().get(1).getAgentId();

        liveUntil(1_000 + LOST_AFTER + 2_000, otherAgent);

        SessionEvent error = h.last("s1");
        assertEquals(SessionStatus.ERROR, error.getSession().getStatus());
        assertEquals("agent-lost", error.getSession().getStatusInfo());
        assertEquals(KernelStatus.ERROR, error.getSession().getKernels().get(0).getStatus());
        List<AgentCommand> destroys = h.commands.readValuesToList().stream()
                .filter(c -> c.getOp() instanceof DestroyKernel).toList();
        assertEquals(1, destroys.size(), "only the surviving kernel is told to stop");
        assertEquals(otherAgent, destroys.get(0).getAgentId());
        assertEquals(KernelIds.of("s1", 1), ((DestroyKernel) destroys.get(0).getOp()).getKernelId());
    }

    @Test
    @DisplayName("SCQ a batch session with retries left is queued again and placed on another agent, then ends in ERROR once they are used up")
    void batchIsRequeuedUpToItsRetries() {
        h.heartbeats.pipeInput("a1", heartbeat("a1", 4_000, 8 * GIB, 0), 0);
        h.at(1_000);
        var spec = SessionSpec.newBuilder(Fixtures.spec("job", 1_000, GIB, 1, ClusterMode.SINGLE_NODE, SessionType.BATCH))
                .setMaxRetries(1).build();
        create("job", spec);
        assertEquals(1, creates().size());
        h.kernelEvents.pipeInput("job", kernelEvent("job", 0, "a1", KernelEventKind.STARTED, null, null, h.now()), h.now());

        // a1 falls silent while a2 joins and lives on
        liveUntil(1_000 + LOST_AFTER + 2_000, "a2");

        List<SessionEventKind> kinds = h.kinds("job");
        assertTrue(kinds.contains(SessionEventKind.ENQUEUED) && kinds.lastIndexOf(SessionEventKind.ENQUEUED) > 0,
                "queued again: " + kinds);
        SessionEvent again = h.last("job");
        assertEquals(SessionStatus.SCHEDULED, again.getSession().getStatus());
        assertEquals("a2", again.getSession().getKernels().get(0).getAgentId());
        assertEquals(1, again.getSession().getRequeues());
        List<CreateKernel> second = creates();
        assertEquals(1, second.size());
        assertEquals(KernelIds.of("job", 0), second.get(0).getKernelId());

        // a2 is lost as well: no retry is left
        liveUntil(h.now() + LOST_AFTER + 2_000, "a3");
        assertEquals(SessionStatus.ERROR, h.last("job").getSession().getStatus());
    }

    @Test
    @DisplayName("reconciliation: a lost agent that comes back is told to stop the kernel that now runs elsewhere, and its report of that kernel is ignored")
    void returningAgentStopsItsStrayKernel() {
        h.heartbeats.pipeInput("a1", heartbeat("a1", 4_000, 8 * GIB, 0), 0);
        h.at(1_000);
        create("job", SessionSpec.newBuilder(Fixtures.spec("job", 1_000, GIB, 1, ClusterMode.SINGLE_NODE, SessionType.BATCH))
                .setMaxRetries(3).build());
        liveUntil(1_000 + LOST_AFTER + 2_000, "a2");
        assertEquals("a2", h.last("job").getSession().getKernels().get(0).getAgentId());
        h.commands.readValuesToList();

        // a1 is back and still runs the old copy of the kernel
        AgentHeartbeat back = AgentHeartbeat.newBuilder(heartbeat("a1", 4_000, 8 * GIB, h.now()))
                .setKernels(List.of(KernelIds.of("job", 0))).build();
        h.heartbeats.pipeInput("a1", back, h.now());
        h.heartbeats.pipeInput("a1", AgentHeartbeat.newBuilder(back).setAt(java.time.Instant.ofEpochMilli(h.now() + 1)).build(), h.now() + 1);
        h.at(h.now() + 10);
        List<AgentCommand> sent = h.commands.readValuesToList();
        assertEquals(1, sent.size(), "told once, not on every heartbeat: " + sent);
        assertEquals("a1", sent.get(0).getAgentId());
        DestroyKernel stop = assertInstanceOf(DestroyKernel.class, sent.get(0).getOp());
        assertEquals(KernelIds.of("job", 0), stop.getKernelId());
        assertEquals("not-allocated", stop.getReason());

        // a1 reports that copy's end: the session, running on a2, is not touched
        h.kernelEvents.pipeInput("job", kernelEvent("job", 0, "a1", KernelEventKind.TERMINATED, 137, "not-allocated", h.now()), h.now());
        h.at(h.now() + 10);
        assertEquals(SessionStatus.SCHEDULED, h.last("job").getSession().getStatus());
    }
}
