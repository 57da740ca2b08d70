package dev.berth.topology.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random clusters, allocations and queues from a fixed seed, each run with and without continuing after an
 * unplaceable session; every failure names the seed and scenario so it can be replayed with {@code -Dberth.seed=<seed>}.
 */
@DisplayName("PlacementPass properties over 2,000 random passes per policy")
class PlacementPassPropertyTest {

    private static final int PASSES = 2_000;
    private static final long NOW = 1_700_000_000_000L;
    private static final Duration STALE_AFTER = Duration.ofSeconds(40);
    private static final List<String> SLOTS = List.of("cpu", "mem", "cuda.shares");
    private static final List<String> ARCHITECTURES = List.of("x86_64", "x86_64", "aarch64");
    private static final List<String> ACCESS_KEYS = List.of("A", "B", "C");

    record Scenario(Policy policy, List<AgentView> agents, List<Allocation> existing, List<PendingSession> queue) {}

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fifo", "lifo", "drf", "mof"})
    @DisplayName("invariant 1: no agent gets more than its free capacity in any slot, every kernel gets exactly one eligible agent, "
            + "every picked session is decided once, and a strict pass is a prefix of a continuing one")
    void properties(String policyName) {
        long seed = Long.getLong("berth.seed", 0x5EEDL) + policyName.hashCode();
        Random random = new Random(seed);
        int placed = 0;
        int unplaceable = 0;
        int spread = 0;
        for (int pass = 0; pass < PASSES; pass++) {
            long scenarioSeed = random.nextLong();
            Scenario scenario = scenario(policyName, scenarioSeed);
            PassResult continuing = run(scenario, scenario.queue(), scenario.agents(), true);
            PassResult strict = run(scenario, scenario.queue(), scenario.agents(), false);
            String context = "seed " + seed + ", pass " + pass + ", scenario seed " + scenarioSeed + ": " + scenario
                    + " → " + continuing + " / strict " + strict;

            check(scenario, continuing, context);
            check(scenario, strict, context);
            checkEverySessionDecided(scenario, continuing, context);
            checkNothingLeftThatFits(scenario, continuing, context);
            checkStrictIsAPrefix(continuing, strict, context);
            checkFirstPick(scenario, strict, context);
            checkOrderDoesNotMatter(scenario, continuing, new Random(scenarioSeed), context);

            placed += continuing.placements().size();
            unplaceable += continuing.unplaceable().size();
            spread += (int) continuing.placements().stream().filter(p -> Set.copyOf(p.agentIds()).size() > 1).count();
        }
        // the generator must exercise every outcome, or the properties prove little
        assertTrue(placed > PASSES, "only " + placed + " sessions placed in " + PASSES + " passes");
        assertTrue(unplaceable > PASSES, "only " + unplaceable + " sessions unplaceable in " + PASSES + " passes");
        assertTrue(spread > PASSES / 50, "only " + spread + " multi-node sessions spread over agents in " + PASSES + " passes");
    }

    private static PassResult run(Scenario scenario, List<PendingSession> queue, List<AgentView> agents, boolean continuing) {
        return PlacementPass.run(queue, agents, scenario.existing(), scenario.policy(), NOW, STALE_AFTER, continuing);
    }

    /** Invariant 1, eligibility, one agent per kernel, and reasons that say why. */
    private static void check(Scenario scenario, PassResult result, String context) {
        Map<String, AgentView> agents = new HashMap<>();
        scenario.agents().forEach(agent -> agents.put(agent.agentId(), agent));
        Map<String, PendingSession> sessions = new HashMap<>();
        scenario.queue().forEach(session -> sessions.put(session.sessionId(), session));

        Set<String> decided = new HashSet<>();
        for (Placement placement : result.placements()) {
            PendingSession session = sessions.get(placement.sessionId());
            assertNotNull(session, "placed a session that was not queued; " + context);
            assertTrue(decided.add(session.sessionId()), "placed twice; " + context);
            assertEquals(session.kernelIds().size(), placement.agentIds().size(), "one agent per kernel; " + context);
            if (!session.multiNode()) {
                assertEquals(1, Set.copyOf(placement.agentIds()).size(), "a single-node session on one agent; " + context);
            }
            for (String agentId : placement.agentIds()) {
                AgentView agent = agents.get(agentId);
                assertNotNull(agent, "unknown agent " + agentId + "; " + context);
                assertTrue(eligible(agent, session), "ineligible agent " + agentId + "; " + context);
            }
        }
        // ALG-02 over all that the pass gave an agent: in every slot it has or was given, given ≤ free
        used(scenario, result).forEach((agentId, given) -> {
            Map<String, Long> free = agents.get(agentId).free();
            Set<String> slots = new HashSet<>(given.keySet());
            slots.addAll(free.keySet());
            for (String slot : slots) {
                long amount = given.getOrDefault(slot, 0L);
                if (amount > free.getOrDefault(slot, 0L)) {
                    fail(agentId + " got " + amount + " of " + slot + " with " + free.get(slot) + " free; " + context);
                }
            }
        });

        for (Unplaceable refused : result.unplaceable()) {
            PendingSession session = sessions.get(refused.sessionId());
            assertNotNull(session, "refused a session that was not queued; " + context);
            assertTrue(decided.add(session.sessionId()), "decided twice; " + context);
            boolean anyFresh = scenario.agents().stream().anyMatch(PlacementPassPropertyTest::fresh);
            boolean anyOfArchitecture = scenario.agents().stream().anyMatch(agent -> eligible(agent, session));
            String expected = !anyFresh ? "No schedulable agent with a fresh heartbeat"
                    : !anyOfArchitecture ? "No agents found compatible with image architecture (" + session.architecture() + ")"
                    : "Could not find a contiguous resource region in any agent big enough to host the session (" + session.sessionId() + ")";
            assertEquals(expected, refused.reason(), context);
        }
    }

    /** Continuing, each queued session is picked exactly once: placed or refused. */
    private static void checkEverySessionDecided(Scenario scenario, PassResult result, String context) {
        Set<String> decided = new HashSet<>(PassFixtures.placedIds(result));
        decided.addAll(PassFixtures.unplaceableIds(result));
        Set<String> queued = new HashSet<>();
        scenario.queue().forEach(session -> queued.add(session.sessionId()));
        assertEquals(queued, decided, "every session decided; " + context);
    }

    /** Capacity only shrinks during a pass, so a refused session cannot fit in what the pass left over. */
    private static void checkNothingLeftThatFits(Scenario scenario, PassResult result, String context) {
        Map<String, Map<String, Long>> used = used(scenario, result);
        for (Unplaceable refused : result.unplaceable()) {
            PendingSession session = scenario.queue().stream().filter(s -> s.sessionId().equals(refused.sessionId())).findFirst().orElseThrow();
            long room = 0;
            for (AgentView agent : scenario.agents()) {
                if (!eligible(agent, session)) continue;
                long fits = kernelsThatFit(agent, used.getOrDefault(agent.agentId(), Map.of()), session.perKernel());
                room = session.multiNode() ? room + fits : Math.max(room, fits);
            }
            assertTrue(room < session.kernelIds().size(), "refused " + session.sessionId() + " though it fits; " + context);
        }
    }

    /** SCH-16: a strict pass makes the same decisions as a continuing one, up to and including the first refusal. */
    private static void checkStrictIsAPrefix(PassResult continuing, PassResult strict, String context) {
        assertTrue(strict.unplaceable().size() <= 1, "a strict pass refuses at most one session; " + context);
        assertEquals(continuing.unplaceable().subList(0, strict.unplaceable().size()), strict.unplaceable(), context);
        assertEquals(continuing.placements().subList(0, strict.placements().size()), strict.placements(), context);
        if (strict.unplaceable().isEmpty()) assertEquals(continuing, strict, context);
    }

    /** ALG-03, ALG-04, ALG-06, ALG-07: the first session a pass decides on is the one the rule names. */
    private static void checkFirstPick(Scenario scenario, PassResult strict, String context) {
        if (scenario.queue().isEmpty()) return;
        String first = strict.placements().isEmpty() ? strict.unplaceable().getFirst().sessionId()
                : strict.placements().getFirst().sessionId();
        List<PendingSession> ordered = new ArrayList<>(scenario.queue());
        ordered.sort((a, b) -> a.enqueuedAtMs() != b.enqueuedAtMs() ? Long.compare(a.enqueuedAtMs(), b.enqueuedAtMs())
                : a.sessionId().compareTo(b.sessionId()));
        String expected = switch (scenario.policy()) {
            case Policy.Fifo fifo -> ordered.stream().filter(s -> fifo.numRetriesToSkip() == 0 || s.retries() < fifo.numRetriesToSkip())
                    .findFirst().orElse(ordered.getFirst()).sessionId();
            case Policy.Lifo lifo -> ordered.getLast().sessionId();
            case Policy.Mof mof -> ordered.getFirst().sessionId();
            case Policy.Drf drf -> smallestShareFirst(scenario, ordered).sessionId();
        };
        assertEquals(expected, first, "first pick; " + context);
    }

    /** ALG-06 recomputed in decimals: the oldest session of the key whose largest slot fraction is smallest. */
    private static PendingSession smallestShareFirst(Scenario scenario, List<PendingSession> ordered) {
        Map<String, Long> total = new HashMap<>();
        scenario.agents().stream().filter(PlacementPassPropertyTest::fresh)
                .forEach(agent -> agent.capacity().forEach((slot, amount) -> total.merge(slot, amount, Long::sum)));
        Set<String> inGroup = new HashSet<>();
        scenario.agents().forEach(agent -> inGroup.add(agent.agentId()));
        Map<String, Map<String, Long>> held = new HashMap<>();
        scenario.existing().stream().filter(allocation -> inGroup.contains(allocation.agentId())).forEach(allocation ->
                allocation.slots().forEach((slot, amount) ->
                        held.computeIfAbsent(allocation.accessKey(), key -> new HashMap<>()).merge(slot, amount, Long::sum)));
        PendingSession best = null;
        BigDecimal bestShare = null;
        for (PendingSession session : ordered) {
            BigDecimal share = BigDecimal.ZERO;
            for (var slot : held.getOrDefault(session.accessKey(), Map.of()).entrySet()) {
                long capacity = total.getOrDefault(slot.getKey(), 0L);
                if (capacity <= 0) continue;
                share = share.max(BigDecimal.valueOf(slot.getValue()).divide(BigDecimal.valueOf(capacity), MathContext.DECIMAL128));
            }
            if (best == null || share.compareTo(bestShare) < 0) {
                best = session;
                bestShare = share;
            }
        }
        return best;
    }

    /** Determinism: the same inputs listed in another order give the same result. */
    private static void checkOrderDoesNotMatter(Scenario scenario, PassResult result, Random random, String context) {
        List<PendingSession> queue = new ArrayList<>(scenario.queue());
        List<AgentView> agents = new ArrayList<>(scenario.agents());
        Collections.shuffle(queue, random);
        Collections.shuffle(agents, random);
        assertEquals(result, run(scenario, queue, agents, true), "shuffled input; " + context);
    }

    private static Map<String, Map<String, Long>> used(Scenario scenario, PassResult result) {
        Map<String, PendingSession> sessions = new HashMap<>();
        scenario.queue().forEach(session -> sessions.put(session.sessionId(), session));
        Map<String, Map<String, Long>> used = new HashMap<>();
        for (Placement placement : result.placements()) {
            for (String agentId : placement.agentIds()) {
                sessions.get(placement.sessionId()).perKernel().forEach((slot, amount) ->
                        used.computeIfAbsent(agentId, id -> new HashMap<>()).merge(slot, amount, Long::sum));
            }
        }
        return used;
    }

    private static boolean fresh(AgentView agent) {
        return agent.schedulable() && NOW - agent.lastSeenMs() <= STALE_AFTER.toMillis();
    }

    private static boolean eligible(AgentView agent, PendingSession session) {
        return fresh(agent) && agent.architecture().equals(session.architecture());
    }

    /**
     * How many kernels of this size the agent still has room for; none while it holds more than it has of any slot;
     * at most 1,000 (enough for any cluster here).
     */
    private static long kernelsThatFit(AgentView agent, Map<String, Long> used, Map<String, Long> perKernel) {
        Set<String> slots = new HashSet<>(perKernel.keySet());
        slots.addAll(agent.free().keySet());
        long fits = 1_000;
        for (String slot : slots) {
            long left = agent.free().getOrDefault(slot, 0L) - used.getOrDefault(slot, 0L);
            long wanted = perKernel.getOrDefault(slot, 0L);
            if (left < 0) return 0;
            if (wanted > 0) fits = Math.min(fits, left / wanted);
        }
        return fits;
    }

    private static Scenario scenario(String policyName, long seed) {
        Random random = new Random(seed);
        Policy policy = policyName.equals("fifo") ? Policy.fifo(random.nextInt(4)) : Policy.parse(policyName);
        List<AgentView> agents = new ArrayList<>();
        List<Allocation> existing = new ArrayList<>();
        int agentCount = random.nextInt(7);
        for (int i = 0; i < agentCount; i++) {
            String id = "agent-" + i;
            Map<String, Long> capacity = new HashMap<>();
            Map<String, Long> held = new HashMap<>();
            for (String slot : SLOTS) {
                if (slot.equals("cuda.shares") && random.nextBoolean()) continue;
                long amount = random.nextInt(16_001);
                capacity.put(slot, amount);
                // idle, partly held, or now and then holding more than the agent has (after it reported a smaller capacity)
                int state = random.nextInt(8);
                held.put(slot, state < 3 ? 0L : state < 7 ? random.nextInt((int) amount + 1) : amount + random.nextInt(100));
            }
            Map<String, Long> free = new HashMap<>(capacity);
            held.forEach((slot, amount) -> free.merge(slot, -amount, Long::sum));
            existing.add(new Allocation(pick(random, ACCESS_KEYS), id, held));
            long lastSeen = NOW - random.nextInt((int) STALE_AFTER.toMillis() + 2_000);
            agents.add(new AgentView(id, pick(random, ARCHITECTURES), random.nextInt(10) > 0, lastSeen, capacity, free));
        }
        existing.add(new Allocation(pick(random, ACCESS_KEYS), "agent-of-another-group", Map.of("cpu", 5_000L)));

        List<PendingSession> queue = new ArrayList<>();
        int sessionCount = random.nextInt(13);
        for (int i = 0; i < sessionCount; i++) {
            Map<String, Long> perKernel = new HashMap<>();
            for (String slot : SLOTS) {
                if (slot.equals("cuda.shares") && random.nextInt(3) > 0) continue;
                perKernel.put(slot, (long) random.nextInt(random.nextBoolean() ? 1_001 : 4_001));
            }
            int kernels = 1 + random.nextInt(random.nextInt(3) == 0 ? 4 : 1);
            List<String> kernelIds = new ArrayList<>();
            for (int k = 0; k < kernels; k++) kernelIds.add("s" + i + "-k" + k);
            queue.add(new PendingSession("s" + i, NOW - random.nextInt(1_000), pick(random, ARCHITECTURES), random.nextBoolean(),
                    kernelIds, perKernel, pick(random, ACCESS_KEYS), random.nextInt(4)));
        }
        return new Scenario(policy, agents, existing, queue);
    }

    private static <T> T pick(Random random, List<T> from) {
        return from.get(random.nextInt(from.size()));
    }
}
