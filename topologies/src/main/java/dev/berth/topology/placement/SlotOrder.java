package dev.berth.topology.placement;

import dev.berth.schema.Slots;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * AMB-16: one total order on slot vectors, so that "most remaining" and "least occupied" always have an
 * answer: slot by slot in the order cpu, mem, then the other slots by name, a missing slot counting as zero.
 */
final class SlotOrder {

    static final Comparator<String> KEYS = Comparator.comparingInt(SlotOrder::rank).thenComparing(Comparator.naturalOrder());

    /** Every slot either vector names counts. */
    static final Comparator<Map<String, Long>> VECTORS = SlotOrder::compare;

    private SlotOrder() {}

    /** The same order, looking only at {@code slots}. */
    static Comparator<Map<String, Long>> over(Set<String> slots) {
        List<String> keys = slots.stream().sorted(KEYS).toList();
        return (a, b) -> {
            for (String key : keys) {
                int order = Long.compare(a.getOrDefault(key, 0L), b.getOrDefault(key, 0L));
                if (order != 0) return order;
            }
            return 0;
        };
    }

    /** The order at the first slot (in key order) where the two differ; allocates nothing, as it runs per agent. */
    private static int compare(Map<String, Long> a, Map<String, Long> b) {
        String first = null;
        int order = 0;
        for (var slot : a.entrySet()) {
            int here = Long.compare(slot.getValue(), b.getOrDefault(slot.getKey(), 0L));
            if (here != 0 && (first == null || KEYS.compare(slot.getKey(), first) < 0)) {
                first = slot.getKey();
                order = here;
            }
        }
        for (var slot : b.entrySet()) {
            if (a.containsKey(slot.getKey())) continue;
            int here = Long.compare(0L, slot.getValue());
            if (here != 0 && (first == null || KEYS.compare(slot.getKey(), first) < 0)) {
                first = slot.getKey();
                order = here;
            }
        }
        return order;
    }

    private static int rank(String slot) {
        return switch (slot) {
            case Slots.CPU -> 0;
            case Slots.MEM -> 1;
            default -> 2;
        };
    }
}
