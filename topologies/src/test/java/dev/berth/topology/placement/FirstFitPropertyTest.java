package dev.berth.topology.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Random clusters and queues from a fixed seed; every failure names the seed and scenario so it can be replayed
 * with {@code -Dberth.seed=<seed>}.
 */
@DisplayName("FirstFit properties over 2,000 random passes")
class FirstFitPropertyTest {

    private static final int PASSES = 2_000;
    private static final long NOW = 1_700_000_000_000L;
    private static final Duration STALE_AFTER = Duration.ofSeconds(40);
    private static final List<String> SLOTS = List.of("cpu", "mem", "cuda.shares");
    private static final List<String> ARCHITECTURES = List.of("x86_64", "x86_64", "aarch64");

    record Scenario(long seed, List<AgentView> agents, List<PendingSession> queue) {}

    @Test
    @DisplayName("invariant 1: no agent is given more than its free capacity in any slot, and every kernel gets exactly one eligible agent")
    void properties() {
        long seed = Long.getLong("berth.seed", 0x5EEDL);
        Random random = new Random(seed);
        int placedSessions = 0;
        for (int pass = 0; pass < PASSES; pass++) {
            long scenarioSeed = random.nextLong();
            Scenario scenario = scenario(scenarioSeed);
            List<Placement> placements = FirstFit.place(scenario.queue(), scenario.agents(), NOW, STALE_AFTER);
            String context = "seed " + seed + ", pass " + pass + ", scenario seed " + scenarioSeed + ": " + scenario + " → " + placements;
            check(scenario, placements, context);
            placedSessions += placements.size();
        }
        // the generator must exercise both outcomes, or the properties prove little
        assertTrue(placedSessions > PASSES, "only " + placedSessions + " sessions placed in " + PASSES + " passes");
    }

    private static void check(Scenario scenario, List<Placement> placements, String context) {
        Map<String, AgentView> agents = new HashMap<>();
        scenario.agents().forEach(agent -> agents.put(agent.agentId(), agent));
        Map<String, PendingSession> sessions = new HashMap<>();
        scenario.queue().forEach(session -> sessions.put(session.sessionId(), session));

        Map<String, Map<String, Long>> used = new HashMap<>();
        Set<String> placed = new HashSet<>();
        for (Placement placement : placements) {
            PendingSession session = sessions.get(placement.sessionId());
            assertNotNull(session, "placed a session that was not queued; " + context);
            assertTrue(placed.add(session.sessionId()), "placed twice; " + context);
            assertEquals(session.kernelIds().size(), placement.agentIds().size(), "one agent per kernel; " + context);
            if (!session.multiNode()) {
                assertEquals(1, Set.copyOf(placement.agentIds()).size(), "a single-node session on one agent; " + context);
            }
            for (String agentId : placement.agentIds()) {
                AgentView agent = agents.get(agentId);
                assertNotNull(agent, "unknown agent " + agentId + "; " + context);
                assertTrue(eligible(agent, session), "ineligible agent " + agentId + "; " + context);
                session.perKernel().forEach((slot, amount) ->
                        used.computeIfAbsent(agentId, id -> new HashMap<>()).merge(slot, amount, Long::sum));
            }
        }
        used.forEach((agentId, slots) -> slots.forEach((slot, amount) -> {
            long free = agents.get(agentId).free().getOrDefault(slot, 0L);
            if (amount > free) fail(agentId + " got " + amount + " of " + slot + " with " + free + " free; " + context);
        }));

        // first fit never skips a session that fits in what the pass left over (capacity only shrinks during a pass)
        for (PendingSession session : scenario.queue()) {
            if (placed.contains(session.sessionId())) continue;
            long room = 0;
            for (AgentView agent : scenario.agents()) {
                if (!eligible(agent, session)) continue;
                long fits = kernelsThatFit(agent, used.getOrDefault(agent.agentId(), Map.of()), session.perKernel());
                room = session.multiNode() ? room + fits : Math.max(room, fits);
            }
            assertTrue(room < session.kernelIds().size(), "skipped " + session.sessionId() + " though it fits; " + context);
        }
    }

    private static boolean eligible(AgentView agent, PendingSession session) {
        return agent.schedulable() && NOW - agent.lastSeenMs() <= STALE_AFTER.toMillis()
                && agent.architecture().equals(session.architecture());
    }

    /** How many kernels of this size the agent still has room for; at most 1,000 (enough for any cluster here). */
    private static long kernelsThatFit(AgentView agent, Map<String, Long> used, Map<String, Long> perKernel) {
        long fits = 1_000;
        for (var slot : perKernel.entrySet()) {
            if (slot.getValue() <= 0) continue;
            long left = agent.free().getOrDefault(slot.getKey(), 0L) - used.getOrDefault(slot.getKey(), 0L);
            fits = Math.min(fits, Math.max(0, left) / slot.getValue());
        }
        return fits;
    }

    private static Scenario scenario(long seed) {
        Random random = new Random(seed);
        List<AgentView> agents = new ArrayList<>();
        int agentCount = random.nextInt(7);
        for (int i = 0; i < agentCount; i++) {
            Map<String, Long> free = new HashMap<>();
            for (String slot : SLOTS) {
                if (slot.equals("cuda.shares") && random.nextBoolean()) continue;
                free.put(slot, (long) random.nextInt(8_001));
            }
            long lastSeen = NOW - random.nextInt((int) STALE_AFTER.toMillis() + 2_000);
            agents.add(new AgentView("agent-" + i, pick(random, ARCHITECTURES), random.nextInt(10) > 0, lastSeen, free));
        }
        List<PendingSession> queue = new ArrayList<>();
        int sessionCount = random.nextInt(13);
        for (int i = 0; i < sessionCount; i++) {
            Map<String, Long> perKernel = new HashMap<>();
            for (String slot : SLOTS) {
                if (slot.equals("cuda.shares") && random.nextInt(3) > 0) continue;
                perKernel.put(slot, (long) random.nextInt(random.nextBoolean() ? 1_001 : 4_001));
            }
            int kernels = 1 + random.nextInt(random.nextInt(4) == 0 ? 4 : 1);
            List<String> kernelIds = new ArrayList<>();
            for (int k = 0; k < kernels; k++) kernelIds.add("s" + i + "-k" + k);
            queue.add(new PendingSession("s" + i, NOW - random.nextInt(1_000), pick(random, ARCHITECTURES),
                    random.nextBoolean(), kernelIds, perKernel));
        }
        return new Scenario(seed, agents, queue);
    }

    private static <T> T pick(Random random, List<T> from) {
        return from.get(random.nextInt(from.size()));
    }
}
