package dev.berth.topology.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("AMB-16 slot vectors in one total order: cpu, mem, then the other slots by name, missing = 0")
class SlotOrderTest {

    @Test
    @DisplayName("AMB-16 cpu decides before mem, whatever the amounts")
    void cpuFirst() {
        assertTrue(SlotOrder.VECTORS.compare(Map.of("cpu", 1L, "mem", 1_000_000L), Map.of("cpu", 2L, "mem", 0L)) < 0);
    }

    @Test
    @DisplayName("AMB-16 mem decides before the other slots, and those follow by name")
    void memThenByName() {
        // "a.x" and "zz" sort after mem; "a.x" before "zz"
        Map<String, Long> smallerMem = Map.of("cpu", 1L, "mem", 1L, "a.x", 9L, "zz", 9L);
        Map<String, Long> largerMem = Map.of("cpu", 1L, "mem", 2L, "a.x", 0L, "zz", 0L);
        assertTrue(SlotOrder.VECTORS.compare(smallerMem, largerMem) < 0);
        assertTrue(SlotOrder.VECTORS.compare(Map.of("cpu", 1L, "a.x", 1L, "zz", 0L), Map.of("cpu", 1L, "a.x", 0L, "zz", 9L)) > 0);
        // and not by map iteration order or by rank of the name "cpu" among others
        assertTrue(SlotOrder.VECTORS.compare(Map.of("aaa", 9L, "cpu", 1L), Map.of("aaa", 0L, "cpu", 2L)) < 0);
    }

    @Test
    @DisplayName("AMB-16 a missing slot counts as zero")
    void missingIsZero() {
        assertEquals(0, SlotOrder.VECTORS.compare(Map.of("cpu", 1L), Map.of("cpu", 1L, "mem", 0L)));
        assertTrue(SlotOrder.VECTORS.compare(Map.of("cpu", 1L), Map.of("cpu", 1L, "cuda.shares", 1L)) < 0);
        assertTrue(SlotOrder.VECTORS.compare(Map.of("cpu", 1L), Map.of("cpu", 1L, "cuda.shares", -1L)) > 0);
    }

    @Test
    @DisplayName("AMB-16 restricted to some slots, the others do not count")
    void restricted() {
        assertEquals(0, SlotOrder.over(Set.of("cpu", "mem")).compare(Map.of("cpu", 1L, "x", 9L), Map.of("cpu", 1L, "x", 0L)));
        assertTrue(SlotOrder.over(Set.of("mem", "x")).compare(Map.of("cpu", 9L, "x", 1L), Map.of("cpu", 0L, "x", 2L)) < 0);
    }

    @Test
    @DisplayName("AMB-16 the order is total: antisymmetric, transitive, and 0 only for equal vectors, over 150 random vectors")
    void total() {
        Random random = new Random(16);
        List<String> slots = List.of("cpu", "mem", "cuda.shares", "tpu");
        List<Map<String, Long>> vectors = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            Map<String, Long> vector = new HashMap<>();
            for (String slot : slots) if (random.nextBoolean()) vector.put(slot, (long) random.nextInt(3));
            vectors.add(vector);
        }
        for (Map<String, Long> a : vectors) {
            for (Map<String, Long> b : vectors) {
                int ab = SlotOrder.VECTORS.compare(a, b);
                assertEquals(Integer.signum(ab), -Integer.signum(SlotOrder.VECTORS.compare(b, a)), a + " vs " + b);
                assertEquals(ab == 0, withoutZeros(a).equals(withoutZeros(b)), a + " vs " + b);
                for (Map<String, Long> c : vectors.subList(0, 20)) {
                    if (ab <= 0 && SlotOrder.VECTORS.compare(b, c) <= 0) {
                        assertTrue(SlotOrder.VECTORS.compare(a, c) <= 0, a + " ≤ " + b + " ≤ " + c);
                    }
                }
            }
        }
    }

    private static Map<String, Long> withoutZeros(Map<String, Long> vector) {
        Map<String, Long> out = new HashMap<>(vector);
        out.values().removeIf(amount -> amount == 0);
        return out;
    }
}
