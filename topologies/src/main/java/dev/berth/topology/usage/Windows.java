package dev.berth.topology.usage;

import dev.berth.schema.avro.UsagePeriod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** UTC hour and day windows, and how a span of time falls into them. */
public final class Windows {

    /** The part of a span inside one window. */
    public record Slice(long windowStart, long windowEnd, long millis) { }

    private Windows() {}

    public static long length(UsagePeriod period) {
        return switch (period) {
            case HOURLY -> Duration.ofHours(1).toMillis();
            case DAILY -> Duration.ofDays(1).toMillis();
        };
    }

    public static long startOf(UsagePeriod period, long at) {
        return Math.floorDiv(at, length(period)) * length(period);
    }

    /** The span {@code [from, to)} cut at window boundaries; empty when {@code to <= from}. */
    public static List<Slice> slices(UsagePeriod period, long from, long to) {
        List<Slice> slices = new ArrayList<>();
        long length = length(period);
        for (long start = startOf(period, from); start < to; start += length) {
            long overlap = Math.min(to, start + length) - Math.max(from, start);
            if (overlap > 0) slices.add(new Slice(start, start + length, overlap));
        }
        return slices;
    }
}
