package dev.berth.topology.placement;

import java.util.List;
import java.util.Map;

/**
 * A session waiting for placement.
 *
 * @param kernelIds  one per kernel, main first
 * @param perKernel  the slots each kernel asks for
 * @param multiNode  whether kernels may land on different agents
 */
public record PendingSession(String sessionId, long enqueuedAtMs, String architecture, boolean multiNode,
                             List<String> kernelIds, Map<String, Long> perKernel) {

    public PendingSession {
        if (kernelIds.isEmpty()) throw new IllegalArgumentException("a session has at least one kernel");
        kernelIds = List.copyOf(kernelIds);
        perKernel = Map.copyOf(perKernel);
    }
}
