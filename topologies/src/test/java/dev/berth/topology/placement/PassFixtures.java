package dev.berth.topology.placement;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builders for placement pass tests: x86_64 agents seen now, sessions of access key "ak" never retried. */
final class PassFixtures {

    static final long NOW = 1_700_000_000_000L;
    static final Duration STALE_AFTER = Duration.ofSeconds(40);
    static final long GIB = 1L << 30;
    static final String ARCH = "x86_64";

    private PassFixtures() {}

    /** An idle agent: everything it has is free. */
    static AgentView agent(String id, long cpu, long mem) {
        return agent(id, Map.of("cpu", cpu, "mem", mem));
    }

    static AgentView agent(String id, Map<String, Long> capacity) {
        return new AgentView(id, ARCH, true, NOW, capacity, capacity);
    }

    /** An agent whose allocations already hold {@code capacity − free}. */
    static AgentView busy(String id, Map<String, Long> capacity, Map<String, Long> free) {
        return new AgentView(id, ARCH, true, NOW, capacity, free);
    }

    static PendingSession single(String id, long enqueuedAt, int kernels, long cpu, long mem) {
        return session(id, enqueuedAt, false, kernels, Map.of("cpu", cpu, "mem", mem), "ak", 0);
    }

    static PendingSession multi(String id, long enqueuedAt, int kernels, long cpu, long mem) {
        return session(id, enqueuedAt, true, kernels, Map.of("cpu", cpu, "mem", mem), "ak", 0);
    }

    static PendingSession owned(String id, long enqueuedAt, String accessKey, long cpu, long mem) {
        return session(id, enqueuedAt, false, 1, Map.of("cpu", cpu, "mem", mem), accessKey, 0);
    }

    static PendingSession retried(String id, long enqueuedAt, int retries, long cpu, long mem) {
        return session(id, enqueuedAt, false, 1, Map.of("cpu", cpu, "mem", mem), "ak", retries);
    }

    static PendingSession session(String id, long enqueuedAt, boolean multiNode, int kernels, Map<String, Long> perKernel,
                                  String accessKey, int retries) {
        List<String> kernelIds = new ArrayList<>();
        for (int i = 0; i < kernels; i++) kernelIds.add(id + "-k" + i);
        return new PendingSession(id, enqueuedAt, ARCH, multiNode, kernelIds, perKernel, accessKey, retries);
    }

    /** FIFO, nothing allocated yet, going on past sessions that do not fit. */
    static PassResult fifo(List<PendingSession> pending, List<AgentView> agents) {
        return PlacementPass.run(pending, agents, List.of(), Policy.FIFO, NOW, STALE_AFTER, true);
    }

    static PassResult run(Policy policy, boolean continueAfterUnplaceable, List<PendingSession> pending, List<AgentView> agents,
                          List<Allocation> existing) {
        return PlacementPass.run(pending, agents, existing, policy, NOW, STALE_AFTER, continueAfterUnplaceable);
    }

    static List<String> placedIds(PassResult result) {
        return result.placements().stream().map(Placement::sessionId).toList();
    }

    static List<String> unplaceableIds(PassResult result) {
        return result.unplaceable().stream().map(Unplaceable::sessionId).toList();
    }
}
