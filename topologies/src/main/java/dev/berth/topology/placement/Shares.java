package dev.berth.topology.placement;

import dev.berth.schema.Slots;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ALG-06 bookkeeping: what each access key holds in a scaling group, against the group's total capacity.
 *
 * @param groupCapacity the summed capacity of the group's schedulable agents (SCH-04)
 * @param heldByKey     the summed slots of each access key's allocations
 */
public record Shares(Map<String, Long> groupCapacity, Map<String, Map<String, Long>> heldByKey) {

    /** For policies that do not weigh shares: everyone holds nothing. */
    static final Shares NONE = new Shares(Map.of(), Map.of());

    public Shares {
        groupCapacity = Map.copyOf(groupCapacity);
        heldByKey = Map.copyOf(heldByKey);
    }

    static Shares of(Map<String, Long> groupCapacity, List<Allocation> allocations) {
        Map<String, Map<String, Long>> held = new HashMap<>();
        for (Allocation allocation : allocations) {
            held.merge(allocation.accessKey(), allocation.slots(), (a, b) -> Slots.combine(a, b, 1));
        }
        return new Shares(groupCapacity, held);
    }

    /** The key's dominant share: its largest fraction of any slot the group has a capacity of. */
    public Share dominant(String accessKey) {
        Share dominant = Share.NONE;
        for (var slot : heldByKey.getOrDefault(accessKey, Map.of()).entrySet()) {
            long capacity = groupCapacity.getOrDefault(slot.getKey(), 0L);
            if (capacity <= 0) continue;
            Share share = new Share(slot.getValue(), capacity);
            if (share.compareTo(dominant) > 0) dominant = share;
        }
        return dominant;
    }

    /** After a placement: the key also holds {@code slots}, so later picks of the same pass see its share raised. */
    Shares plus(String accessKey, Map<String, Long> slots) {
        Map<String, Map<String, Long>> held = new HashMap<>(heldByKey);
        held.merge(accessKey, slots, (a, b) -> Slots.combine(a, b, 1));
        return new Shares(groupCapacity, held);
    }

    /**
     * {@code held / capacity}, compared exactly so that near-equal shares of different keys never round alike
     * (1/2 and 2/4 compare equal without being equal records).
     */
    public record Share(long held, long capacity) implements Comparable<Share> {

        static final Share NONE = new Share(0, 1);

        public Share {
            if (capacity <= 0) throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }

        @Override
        public int compareTo(Share other) {
            return BigInteger.valueOf(held).multiply(BigInteger.valueOf(other.capacity))
                    .compareTo(BigInteger.valueOf(other.held).multiply(BigInteger.valueOf(capacity)));
        }
    }
}
