package dev.berth.topology;

import static dev.berth.topology.Fixtures.GIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.schema.Slots;
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
import dev.berth.topology.admission.Policies;
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
 * invariant 4 at the end, when every session has ended and the ledger must hold nothing. Agents
 * differ in cpu and mem and only some have {@code cuda.shares}; sessions ask for all three, and
 * belong to users, projects and domains of which one each is limited.
 */
@DisplayName("Scheduler invariants over random workloads (DESIGN invariants 1-4)")
class SchedulerInvariantsPropertyTest {

    private static final int STEPS = 1_500;
    private static final String LIMITED_KEY = "AK-limited";
    private static final int LIMITED_SESSIONS = 2;
    private static final long LIMITED_CPU = 6_000;
    private static final String CUDA = "cuda.shares";
    /** Limits at the user, project and domain level, set on config.limits and checked after every step. */
    private static final List<Limit> LIMITS = List.of(
            new Limit(LimitScope.USER, "u-1", Map.of("cpu", 5_000L, "mem", 12 * GIB)),
            new Limit(LimitScope.PROJECT, "p-1", Map.of("mem", 16 * GIB, CUDA, 2_000L)),
            new Limit(LimitScope.DOMAIN, "d-1", Map.of("cpu", 10_000L, CUDA, 3_000L)));
    private static final Set<SessionStatus> HOLDING = EnumSet.of(SessionStatus.SCHEDULED, SessionStatus.PULLING,
            SessionStatus.PREPARING, SessionStatus.RUNNING, SessionStatus.RESTARTING, SessionStatus.TERMINATING);
    /** Agents are lost after 4 s of silence, so that losses happen often in a short run. */
    private static final PlacementOptions FAST_LOSS = new PlacementOptions(Duration.ofSeconds(2), Duration.ofSeconds(4),
            Duration.ofHours(1), PlacementOptions.DEFAULTS.groupDefaults(), Map.of());

    @TempDir Path stateDir;

    private final Map<String, Map<String, Long>> capacity = new HashMap<>();
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
            for (Limit limit : LIMITS) {
                h.limits.pipeInput(limit.key(), ResourceLimits.newBuilder().setScope(limit.scope()).setId(limit.id())
                        .setTotalResourceSlots(limit.slots()).build(), 0);
            }
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

    /** A new agent: 4–8 cpu, 8–32 GiB, and on about half of them 2–4 cuda shares. */
    private void join(SchedulerHarness h, Random random) {
        String agent = "agent-" + capacity.size();
        Map<String, Long> slots = new HashMap<>(Map.of("cpu", 4_000L + 1_000L * random.nextInt(5), "mem", 8 * GIB * (1 + random.nextInt(4))));
        if (random.nextBoolean()) slots.put(CUDA, 2_000L + 1_000L * random.nextInt(3));
        capacity.put(agent, Map.copyOf(slots));
        liveAgents.add(agent);
        beat(h, agent);
    }

    private void beat(SchedulerHarness h, String agent) {
        h.heartbeats.pipeInput(agent, AgentHeartbeat.newBuilder(Fixtures.heartbeat(agent, 0, 0, h.now())).setCapacity(capacity.get(agent)).build(), h.now());
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
        Map<String, Long> perKernel = new HashMap<>(Map.of("cpu", 1_000L * (1 + random.nextInt(4)), "mem", GIB * (1 + random.nextInt(8))));
        if (random.nextInt(3) == 0) perKernel.put(CUDA, 500L * (1 + random.nextInt(4)));
        SessionSpec spec = SessionSpec.newBuilder(Fixtures.spec(id, 0, 0, multi ? 2 : 1, multi ? ClusterMode.MULTI_NODE : ClusterMode.SINGLE_NODE, type))
                .setResources(perKernel)
                .setMaxRetries(type == SessionType.BATCH ? random.nextInt(2) : 0)
                .setUserId("u-" + random.nextInt(3))
                .setProject("p-" + random.nextInt(3))
                .setDomain(random.nextBoolean() ? "default" : "d-1")
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
        Map<String, Map<String, Long>> usedByAgent = new HashMap<>();
        Map<Limit, Map<String, Long>> usedByLimit = new HashMap<>();
        int limitedSessions = 0;
        long limitedCpu = 0;
        for (Session session : sessions.values()) {
            if (!HOLDING.contains(session.getStatus())) continue;
            Map<String, Long> perKernel = session.getSpec().getResources();
            for (KernelInfo kernel : session.getKernels()) {
                if (kernel.getAgentId() != null) usedByAgent.merge(kernel.getAgentId(), perKernel, (a, b) -> Slots.combine(a, b, 1));
            }
            Map<String, Long> total = Slots.combine(Map.of(), perKernel, session.getSpec().getClusterSize());
            for (Limit limit : LIMITS) {
                if (limit.owns(session)) usedByLimit.merge(limit, total, (a, b) -> Slots.combine(a, b, 1));
            }
            if (session.getAccessKey().equals(LIMITED_KEY)) {
                limitedSessions++;
                limitedCpu += total.get("cpu");
            }
        }
        // invariant 1: what placement holds on each agent fits its capacity, in every slot (one it lacks counts as zero)
        usedByAgent.forEach((agent, used) -> used.forEach((slot, amount) -> assertTrue(amount <= capacity.get(agent).getOrDefault(slot, 0L),
                "step " + step + ": " + agent + " holds " + amount + " " + slot + " of " + capacity.get(agent))));
        // invariant 2: the limited keypair never runs more than its policy allows, nor any limited user, project or domain
        assertTrue(limitedSessions <= LIMITED_SESSIONS, "step " + step + ": " + limitedSessions + " sessions of the limited keypair");
        assertTrue(limitedCpu <= LIMITED_CPU, "step " + step + ": " + limitedCpu + " cpu of the limited keypair");
        usedByLimit.forEach((limit, used) -> limit.slots().forEach((slot, allowed) -> assertTrue(used.getOrDefault(slot, 0L) <= allowed,
                "step " + step + ": " + limit.key() + " holds " + used.get(slot) + " " + slot + " of " + allowed)));
        // invariant 3, as it goes: no session enters a terminal state twice
        terminalEvents.forEach((id, count) -> assertEquals(1, count, "step " + step + ": " + id + " ended " + count + " times"));
    }

    /** A limit of one scope on config.limits, and which sessions count against it. */
    private record Limit(LimitScope scope, String id, Map<String, Long> slots) {

        String key() {
            String prefix = switch (scope) {
                case USER -> Policies.USER;
                case PROJECT -> Policies.PROJECT;
                case DOMAIN -> Policies.DOMAIN;
                case KEYPAIR_POLICY -> Policies.KEYPAIR_POLICY;
            };
            return Policies.limitsKey(prefix, id);
        }

        boolean owns(Session session) {
            String owner = switch (scope) {
                case USER -> session.getSpec().getUserId();
                case PROJECT -> session.getSpec().getProject();
                case DOMAIN -> session.getSpec().getDomain();
                case KEYPAIR_POLICY -> throw new IllegalArgumentException("keypair policies apply by keypair");
            };
            return owner.equals(id);
        }
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
