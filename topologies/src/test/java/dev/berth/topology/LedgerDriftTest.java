package dev.berth.topology;

import static dev.berth.topology.Fixtures.GIB;
import static dev.berth.topology.Fixtures.heartbeat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.topology.admission.AdmissionOptions;
import dev.berth.topology.placement.PlacementOptions;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Occupancy ledger: heartbeats are compared with what placement holds on the agent, and the drift is reported")
class LedgerDriftTest {

    private record Drift(String agentId, Map<String, Long> drift) {}

    @Test
    @DisplayName("an agent that does not yet run what it was given drifts below the ledger, and agrees once it does")
    void driftFollowsTheAgentsReport(@TempDir Path stateDir) {
        List<Drift> seen = new ArrayList<>();
        SchedulerObserver recorder = new SchedulerObserver() {
            @Override
            public void drift(String agentId, Map<String, Long> drift) {
                seen.add(new Drift(agentId, drift));
            }
        };
        try (SchedulerHarness h = new SchedulerHarness(stateDir, AdmissionOptions.DEFAULTS, PlacementOptions.DEFAULTS, recorder)) {
            h.heartbeats.pipeInput("a1", heartbeat("a1", 4_000, 8 * GIB, 0), 0);
            h.at(1_000);
            h.requests.pipeInput("s1", Fixtures.create("s1", 1_000, h.now()), h.now());
            h.at(1_100);

            h.heartbeats.pipeInput("a1", heartbeat("a1", 4_000, 8 * GIB, 2_000), 2_000);
            AgentHeartbeat running = AgentHeartbeat.newBuilder(heartbeat("a1", 4_000, 8 * GIB, 3_000))
                    .setOccupied(Map.of("cpu", 1_000L, "mem", GIB)).setAt(Instant.ofEpochMilli(3_000)).build();
            h.heartbeats.pipeInput("a1", running, 3_000);
            h.at(3_100);

            assertEquals(List.of(new Drift("a1", Map.of()), new Drift("a1", Map.of("cpu", -1_000L, "mem", -GIB)), new Drift("a1", Map.of())), seen);
        }
    }
}
