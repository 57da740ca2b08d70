package dev.berth.topology.placement;

import dev.berth.schema.Slots;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A session waiting for placement.
 *
 * @param enqueuedAtMs when it was enqueued: created, or queued again after its agent was lost (its ENQUEUED
 *                     event), not when admission let it go; FIFO/LIFO order by it (SCH-02, ALG-03, ALG-04)
 * @param multiNode    whether kernels may land on different agents
 * @param kernelIds    one per kernel, main first
 * @param perKernel    the slots each kernel asks for
 * @param accessKey    whose session it is, for DRF shares (ALG-06)
 * @param retries      how many passes already failed to place it, for FIFO's {@code num_retries_to_skip} (ALG-03)
 */
public record PendingSession(String sessionId, long enqueuedAtMs, String architecture, boolean multiNode,
                             List<String> kernelIds, Map<String, Long> perKernel, String accessKey, int retries) {

    public PendingSession {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(accessKey, "accessKey");
        if (kernelIds.isEmpty()) throw new IllegalArgumentException("a session has at least one kernel");
        if (retries < 0) throw new IllegalArgumentException("retries must not be negative, got " + retries);
        perKernel.forEach((slot, amount) -> {
            if (amount < 0) throw new IllegalArgumentException("slot " + slot + " must not be negative, got " + amount);
        });
        kernelIds = List.copyOf(kernelIds);
        perKernel = Map.copyOf(perKernel);
    }

    /** What all kernels together ask for: what a single-node session needs on its one agent (SCH-13). */
    public Map<String, Long> totalSlots() {
        return Slots.combine(Map.of(), perKernel, kernelIds.size());
    }
}
