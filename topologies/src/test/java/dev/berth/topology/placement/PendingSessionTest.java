package dev.berth.topology.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("PendingSession: what a pass may rely on")
class PendingSessionTest {

    @Test
    @DisplayName("a session has at least one kernel, never negative retries or slots, and always an access key")
    void validation() {
        assertThrows(IllegalArgumentException.class, () -> pending(List.of(), Map.of("cpu", 1000L), "ak", 0));
        assertThrows(IllegalArgumentException.class, () -> pending(List.of("k0"), Map.of("cpu", 1000L), "ak", -1));
        assertThrows(IllegalArgumentException.class, () -> pending(List.of("k0"), Map.of("cpu", -1L), "ak", 0));
        assertThrows(NullPointerException.class, () -> pending(List.of("k0"), Map.of("cpu", 1000L), null, 0));
    }

    @Test
    @DisplayName("it keeps its own copies of kernels and slots")
    void copies() {
        List<String> kernels = new ArrayList<>(List.of("k0"));
        Map<String, Long> slots = new HashMap<>(Map.of("cpu", 1000L));
        PendingSession session = pending(kernels, slots, "ak", 0);
        kernels.add("k1");
        slots.put("cpu", 9L);
        assertEquals(List.of("k0"), session.kernelIds());
        assertEquals(Map.of("cpu", 1000L), session.perKernel());
    }

    @Test
    @DisplayName("SCH-13 totalSlots is the per-kernel request times the number of kernels")
    void totalSlots() {
        PendingSession session = pending(List.of("k0", "k1", "k2"), Map.of("cpu", 1500L, "mem", 1L << 30, "tpu", 0L), "ak", 0);
        assertEquals(Map.of("cpu", 4500L, "mem", 3L << 30, "tpu", 0L), session.totalSlots());
    }

    private static PendingSession pending(List<String> kernels, Map<String, Long> perKernel, String accessKey, int retries) {
        return new PendingSession("s", 0, "x86_64", false, kernels, perKernel, accessKey, retries);
    }
}
