package dev.berth.topology;

import static dev.berth.topology.Fixtures.GIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.schema.avro.ClusterMode;
import dev.berth.schema.avro.KernelEventKind;
import dev.berth.schema.avro.KernelInfo;
import dev.berth.schema.avro.KeypairConfig;
import dev.berth.schema.avro.LimitScope;
import dev.berth.schema.avro.ResourceLimits;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionRequest;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.schema.avro.SessionType;
import dev.berth.schema.avro.UserRole;
import dev.berth.topology.admission.AdmissionOptions;
import dev.berth.topology.lifecycle.Transitions;
import dev.berth.topology.placement.PlacementOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random workloads of creates, destroys, kernel reports, agents joining and agents falling silent,
 * run through the whole topology; invariants 1–3 of the design are checked after every step, and
 * invariant 4 at the end, when every session has ended and the ledger must hold nothing.
 */
@DisplayName("Scheduler invariants over random workloads (DESIGN invariants 1-4)")
class SchedulerInvariantsPropertyTest {

    private static final int STEPS = 1_500;
    private static final String LIMITED_KEY = "AK-limited";
    private static final int LIMITED_SESSIONS = 2;
    private static final long LIMITED_CPU = 6_000;
    private static final Set<SessionStatus> HOLDING = EnumSet.of(SessionStatus.SCHEDULED, SessionStatus.PULLING,
            SessionStatus.PREPARING, SessionStatus.RUNNING, SessionStatus.RESTARTING, SessionStatus.TERMINATING);
    /** Agents are lost after 4 s of silence, so that losses happen often in a short run. */
    private static final PlacementOptions FAST_LOSS = new PlacementOptions(Duration.ofSeconds(2), Duration.ofSeconds(4),
            Duration.ofHours(1), PlacementOptions.DEFAULTS.groupDefaults(), Map.of());

    @TempDir Path stateDir;

    private final Map<String, Long> capacityCpu = new HashMap<>();
    private final Map<String, Long> lastBeat = new HashMap<>();
    private final List<String> liveAgents = new ArrayList<>();
    private final Map<String, Session> sessions = new LinkedHashMap<>();
    private final Map<String, Integer> terminalEvents = new HashMap<>();

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void invariantsHoldAfterEveryStep(long seed) {
        Random random = new Random(seed);
        Map<String, Map<String, Long>> drift = new HashMap<>();
        SchedulerObserver recorder = new SchedulerObserver() {
            @Override
            public void drift(String agentId, Map<String, Long> d) {
                drift.put(agentId, d);
            }
        };
        try (SchedulerHarness h = new SchedulerHarness(stateDir.resolve("s" + seed), AdmissionOptions.DEFAULTS, FAST_LOSS, recorder)) {
            h.keypairs.pipeInput(LIMITED_KEY, new KeypairConfig(LIMITED_KEY, "u-limited", "default", UserRole.USER, true, "small", 100, 1L), 0);
            h.limits.pipeInput("keypair-policy:small", ResourceLimits.newBuilder().setScope(LimitScope.KEYPAIR_POLICY).setId("small")
                    .setTotalResourceSlots(Map.of("cpu", LIMITED_CPU)).setMaxConcurrentSessions(LIMITED_SESSIONS).build(), 0);
            for (int i = 0; i < 3; i++) join(h, random);
            int created = 0;
            for (int step = 0; step < STEPS; step++) {
                int roll = random.nextInt(100);
                if (roll < 30) create(h, random, "s" + (created++));
                else if (roll < 42) destroy(h, random);
                else if (roll < 70) report(h, random);
                else if (roll < 75) join(h, random);
                else if (roll < 79 && liveAgents.size() > 1) liveAgents.remove(random.nextInt(liveAgents.size()));
                else tick(h, h.now() + 200 + random.nextInt(1_500));
                tick(h, h.now() + 5);
                check(step);
            }
            drain(h);
            for (String id : sessions.keySet()) {
                assertTrue(Transitions.isTerminal(sessions.get(id).getStatus()), id + " ends: " + sessions.get(id).getStatus());
                assertEquals(1, terminalEvents.getOrDefault(id, 0), id + " reaches a terminal state exactly once");
            }
            // invariant 4: with every session ended, the ledger holds nothing on any agent, as the agents (running nothing) say
            drift.clear();
            for (String agent : liveAgents) beat(h, agent);
            h.at(h.now() + 5);
            assertEquals(liveAgents.size(), drift.size());
            drift.forEach((agent, d) -> assertEquals(Map.of(), d, agent + " still holds slots in the ledger"));
        }
    }

    private void join(SchedulerHarness h, Random random) {
        String agent = "agent-" + capacityCpu.size();
        capacityCpu.put(agent, 4_000L + 1_000L * random.nextInt(5));
        liveAgents.add(agent);
        beat(h, agent);
    }

    private void beat(SchedulerHarness h, String agent) {
        h.heartbeats.pipeInput(agent, AgentHeartbeat.newBuilder(Fixtures.heartbeat(agent, capacityCpu.get(agent), 64 * GIB, h.now())).build(), h.now());
        lastBeat.put(agent, h.now());
    }

    /** Moves time on; live agents heartbeat every second on the way, as real ones would. */
    private void tick(SchedulerHarness h, long untilMs) {
        while (h.now() < untilMs) {
            h.at(Math.min(untilMs, h.now() + 1_000));
            for (String agent : liveAgents) if (h.now() - lastBeat.get(agent) >= 1_000) beat(h, agent);
        }
        observe(h);
    }

    private void create(SchedulerHarness h, Random random, String id) {
        boolean multi = random.nextInt(4) == 0;
        SessionType type = random.nextBoolean() ? SessionType.BATCH : SessionType.INTERACTIVE;
        SessionSpec spec = SessionSpec.newBuilder(Fixtures.spec(id, 1_000L * (1 + random.nextInt(4)), GIB, multi ? 2 : 1,
                        multi ? ClusterMode.MULTI_NODE : ClusterMode.SINGLE_NODE, type))
                .setMaxRetries(type == SessionType.BATCH ? random.nextInt(2) : 0)
                .build();
        String key = random.nextInt(3) == 0 ? LIMITED_KEY : "AK-" + random.nextInt(3);
        SessionRequest request = SessionRequest.newBuilder(Fixtures.create(id, spec, h.now())).setAccessKey(key).build();
        h.requests.pipeInput(id, request, h.now());
    }

    private void destroy(SchedulerHarness h, Random random) {
        List<String> alive = sessions.values().stream().filter(s -> !Transitions.isTerminal(s.getStatus())).map(Session::getSessionId).toList();
        if (alive.isEmpty()) return;
        String id = alive.get(random.nextInt(alive.size()));
        h.requests.pipeInput(id, Fixtures.destroy(id, random.nextInt(3) == 0, h.now()), h.now());
    }

    /** The agents of one session report progress: its kernels started, or its kernels ended with an exit code. */
    private void report(SchedulerHarness h, Random random) {
        List<Session> onLiveAgents = sessions.values().stream()
                .filter(s -> HOLDING.contains(s.getStatus()))
                .filter(s -> s.getKernels().stream().allMatch(k -> k.getAgentId() != null && liveAgents.contains(k.getAgentId())))
                .toList();
        if (onLiveAgents.isEmpty()) return;
        Session session = onLiveAgents.get(random.nextInt(onLiveAgents.size()));
        List<KernelEventKind> kinds = switch (session.getStatus()) {
            case SCHEDULED, PULLING, PREPARING -> List.of(KernelEventKind.PREPARING, KernelEventKind.STARTED);
            default -> List.of(KernelEventKind.TERMINATED);
        };
        String id = session.getSessionId();
        Integer exit = random.nextInt(2);
        for (KernelEventKind kind : kinds) {
            for (int i = 0; i < session.getKernels().size(); i++) {
                String agent = session.getKernels().get(i).getAgentId();
                h.kernelEvents.pipeInput(id, Fixtures.kernelEvent(id, i, agent, kind, kind == KernelEventKind.TERMINATED ? exit : null, null, h.now()), h.now());
            }
        }
    }

    private void observe(SchedulerHarness h) {
        for (SessionEvent event : h.sessionEvents.readValuesToList()) {
            Session before = sessions.get(event.getSessionId());
            assertTrue(before == null || event.getSession().getVersion() > before.getVersion(),
                    "events of " + event.getSessionId() + " arrive in version order");
            sessions.put(event.getSessionId(), event.getSession());
            boolean enteredTerminal = Transitions.isTerminal(event.getSession().getStatus())
                    && (before == null || !Transitions.isTerminal(before.getStatus()));
            if (enteredTerminal) terminalEvents.merge(event.getSessionId(), 1, Integer::sum);
        }
    }

    private void check(int step) {
        // invariant 1: what placement holds on each agent fits its capacity
        Map<String, Long> usedCpu = new HashMap<>();
        int limitedSessions = 0;
        long limitedCpu = 0;
        for (Session session : sessions.values()) {
            if (!HOLDING.contains(session.getStatus())) continue;
            long perKernel = session.getSpec().getResources().get("cpu");
            for (KernelInfo kernel : session.getKernels()) {
                if (kernel.getAgentId() != null) usedCpu.merge(kernel.getAgentId(), perKernel, Long::sum);
            }
            if (session.getAccessKey().equals(LIMITED_KEY)) {
                limitedSessions++;
                limitedCpu += perKernel * session.getSpec().getClusterSize();
            }
        }
        for (var used : usedCpu.entrySet()) {
            assertTrue(used.getValue() <= capacityCpu.get(used.getKey()),
                    "step " + step + ": " + used.getKey() + " holds " + used.getValue() + " of " + capacityCpu.get(used.getKey()));
        }
        // invariant 2: the limited keypair never runs more than its policy allows
        assertTrue(limitedSessions <= LIMITED_SESSIONS, "step " + step + ": " + limitedSessions + " sessions of the limited keypair");
        assertTrue(limitedCpu <= LIMITED_CPU, "step " + step + ": " + limitedCpu + " cpu of the limited keypair");
        // invariant 3, as it goes: no session enters a terminal state twice
        terminalEvents.forEach((id, count) -> assertEquals(1, count, "step " + step + ": " + id + " ended " + count + " times"));
    }

    /** Every live session is destroyed, forced, until all have ended; the agents report the ends. */
    private void drain(SchedulerHarness h) {
        for (int round = 0; round < 5; round++) {
            for (Session session : List.copyOf(sessions.values())) {
                if (Transitions.isTerminal(session.getStatus())) continue;
                String id = session.getSessionId();
                h.requests.pipeInput(id, Fixtures.destroy(id, true, h.now()), h.now());
            }
            tick(h, h.now() + 1_000);
        }
    }
}
