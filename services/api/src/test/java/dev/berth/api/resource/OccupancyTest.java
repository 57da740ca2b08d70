package dev.berth.api.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.KernelRole;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OccupancyTest {

    /** Loading BerthSerdes makes Avro trust Berth's generated classes. */
    private static final Object AVRO_TRUST = BerthSerdes.KEY;

    @Test
    @DisplayName("SES-09/10 only user-occupying, non-SYSTEM sessions count, with resources times cluster size")
    void occupying() {
        assertTrue(Occupancy.occupies(session(SessionStatus.RUNNING, KernelRole.COMPUTE, 1)));
        assertTrue(Occupancy.occupies(session(SessionStatus.SCHEDULED, KernelRole.INFERENCE, 1)));
        assertFalse(Occupancy.occupies(session(SessionStatus.PENDING, KernelRole.COMPUTE, 1)));
        assertFalse(Occupancy.occupies(session(SessionStatus.TERMINATING, KernelRole.COMPUTE, 1)));
        assertFalse(Occupancy.occupies(session(SessionStatus.TERMINATED, KernelRole.COMPUTE, 1)));
        assertFalse(Occupancy.occupies(session(SessionStatus.RUNNING, KernelRole.SYSTEM, 1)));
        assertEquals(Map.of("cpu", 3000L, "mem", 3072L),
                Occupancy.sum(List.of(session(SessionStatus.RUNNING, KernelRole.COMPUTE, 2), session(SessionStatus.RUNNING, KernelRole.COMPUTE, 1))));
    }

    @Test
    @DisplayName("SCH-09 remaining and fit: unnamed slots are unlimited unless the policy says LIMITED")
    void remainingAndFit() {
        Map<String, Long> limits = Map.of("cpu", 4000L);
        Map<String, Long> using = Map.of("cpu", 3000L, "mem", 1024L);

        assertEquals(Map.of("cpu", Optional.of(1000L), "mem", Optional.empty()), Occupancy.remaining(limits, false, using));
        assertEquals(Map.of("cpu", Optional.of(1000L), "mem", Optional.of(-1024L)), Occupancy.remaining(limits, true, using));
        assertTrue(Occupancy.fits(Map.of("cpu", 1000L, "mem", 1L << 30), limits, false, using));
        assertFalse(Occupancy.fits(Map.of("cpu", 1001L), limits, false, using));
        assertFalse(Occupancy.fits(Map.of("cpu", 1000L, "mem", 1L), limits, true, using));
    }

    @Test
    @DisplayName("RES-04 a group's room is its schedulable agents' free slots, capped by the keypair's remaining; a preset needs one agent")
    void agentsRoom() {
        AgentView.Agent a = new AgentView.Agent("a", "g", true, Map.of("cpu", 2000L, "mem", 1000L), Map.of("cpu", 1500L));
        AgentView.Agent b = new AgentView.Agent("b", "g", true, Map.of("cpu", 1000L, "mem", 1000L), Map.of("cpu", 2000L));
        AgentView.Agent drained = new AgentView.Agent("c", "g", false, Map.of("cpu", 8000L), Map.of());

        assertEquals(Map.of("cpu", 500L, "mem", 2000L), Occupancy.room(List.of(a, b, drained), Map.of()));
        assertEquals(Map.of("cpu", 300L, "mem", 2000L), Occupancy.room(List.of(a, b), Map.of("cpu", Optional.of(300L), "mem", Optional.empty())));
        assertTrue(Occupancy.fitsOneAgent(Map.of("cpu", 500L, "mem", 1000L), List.of(a, b, drained)));
        assertFalse(Occupancy.fitsOneAgent(Map.of("cpu", 600L), List.of(a, b, drained)), "the drained agent does not count");
    }

    private static Session session(SessionStatus status, KernelRole role, int clusterSize) {
        return Session.newBuilder()
                .setSessionId("s")
                .setAccessKey("AK")
                .setSpec(SessionSpec.newBuilder().setName("n-one").setImage("x").setResources(Map.of("cpu", 1000L, "mem", 1024L))
                        .setClusterSize(clusterSize).setRole(role).build())
                .setStatus(status)
                .setStatusHistory(Map.of())
                .setCreatedAt(Instant.EPOCH)
                .setKernels(List.of())
                .setVersion(1)
                .build();
    }
}
