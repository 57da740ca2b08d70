package dev.berth.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SchedulerMetrics: what the topologies observe, as meters")
class SchedulerMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SchedulerMetrics metrics = new SchedulerMetrics(registry);

    private double drift(String agent, String slot) {
        return registry.get("berth.ledger.drift").tags("agent", agent, "slot", slot).gauge().value();
    }

    @Test
    @DisplayName("drift is a gauge per agent and slot, only for agents that drifted, back to 0 when they agree")
    void drift() {
        metrics.drift("quiet", Map.of());
        assertNull(registry.find("berth.ledger.drift").tags("agent", "quiet").gauge(), "no series for an agent that never drifted");

        metrics.drift("a1", Map.of("cpu", 500L, "mem", -1024L));
        assertEquals(500, drift("a1", "cpu"));
        assertEquals(-1024, drift("a1", "mem"));
        assertEquals(1, registry.get("berth.ledger.drifting.agents").gauge().value());

        metrics.drift("a1", Map.of("mem", 2048L));
        assertEquals(0, drift("a1", "cpu"));
        assertEquals(2048, drift("a1", "mem"));

        metrics.drift("a1", Map.of());
        assertEquals(0, drift("a1", "mem"));
        assertEquals(0, registry.get("berth.ledger.drifting.agents").gauge().value());
    }

    @Test
    @DisplayName("placements count per group, the queue length is the last one reported, lost agents and admissions count")
    void counters() {
        metrics.placed("gpu", 3);
        metrics.placed("gpu", 2);
        metrics.queued("gpu", 7);
        metrics.queued("gpu", 4);
        metrics.agentLost("a9");
        metrics.admission(true);
        metrics.admission(false);
        metrics.admission(false);
        assertEquals(5, registry.get("berth.placements").tag("group", "gpu").counter().count());
        assertEquals(4, registry.get("berth.pending.sessions").tag("group", "gpu").gauge().value());
        assertEquals(1, registry.get("berth.agents.lost").counter().count());
        assertEquals(1, registry.get("berth.admission").tag("outcome", "admitted").counter().count());
        assertEquals(2, registry.get("berth.admission").tag("outcome", "waiting").counter().count());
    }
}
