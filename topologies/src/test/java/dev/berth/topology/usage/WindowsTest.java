package dev.berth.topology.usage;

import static dev.berth.topology.usage.UsageFixtures.HOUR;
import static dev.berth.topology.usage.UsageFixtures.MINUTE;
import static dev.berth.topology.usage.UsageFixtures.utc;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.schema.avro.UsagePeriod;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Windows: UTC hour and day windows and how a span is cut into them")
class WindowsTest {

    @Test
    @DisplayName("an hour is 3 600 000 ms and a day 86 400 000 ms")
    void lengths() {
        assertEquals(3_600_000L, Windows.length(UsagePeriod.HOURLY));
        assertEquals(86_400_000L, Windows.length(UsagePeriod.DAILY));
    }

    @Test
    @DisplayName("a window starts at the UTC hour or midnight at or before the instant; a boundary starts its own window")
    void startOf() {
        assertEquals(utc("2026-11-25T10:00:00Z"), Windows.startOf(UsagePeriod.HOURLY, utc("2026-11-25T10:59:59.999Z")));
        assertEquals(utc("2026-11-25T11:00:00Z"), Windows.startOf(UsagePeriod.HOURLY, utc("2026-11-25T11:00:00Z")));
        assertEquals(utc("2026-11-25T00:00:00Z"), Windows.startOf(UsagePeriod.DAILY, utc("2026-11-25T23:59:59.999Z")));
        assertEquals(utc("2026-11-26T00:00:00Z"), Windows.startOf(UsagePeriod.DAILY, utc("2026-11-26T00:00:00Z")));
        // before the epoch the window is still the one at or before the instant, not the one after
        assertEquals(utc("1969-12-31T23:00:00Z"), Windows.startOf(UsagePeriod.HOURLY, utc("1969-12-31T23:30:00Z")));
    }

    @Test
    @DisplayName("a span inside one hour is one slice of its whole length")
    void insideOneHour() {
        assertEquals(List.of(new Windows.Slice(utc("2026-11-25T10:00:00Z"), utc("2026-11-25T11:00:00Z"), 15 * MINUTE)),
                Windows.slices(UsagePeriod.HOURLY, utc("2026-11-25T10:30:00Z"), utc("2026-11-25T10:45:00Z")));
    }

    @Test
    @DisplayName("10:45 to 11:15 is 15 min in hour 10 and 15 min in hour 11, and 30 min in the day")
    void acrossAnHour() {
        long from = utc("2026-11-25T10:45:00Z");
        long to = utc("2026-11-25T11:15:00Z");
        assertEquals(List.of(
                        new Windows.Slice(utc("2026-11-25T10:00:00Z"), utc("2026-11-25T11:00:00Z"), 15 * MINUTE),
                        new Windows.Slice(utc("2026-11-25T11:00:00Z"), utc("2026-11-25T12:00:00Z"), 15 * MINUTE)),
                Windows.slices(UsagePeriod.HOURLY, from, to));
        assertEquals(List.of(new Windows.Slice(utc("2026-11-25T00:00:00Z"), utc("2026-11-26T00:00:00Z"), 30 * MINUTE)),
                Windows.slices(UsagePeriod.DAILY, from, to));
    }

    @Test
    @DisplayName("a span over several hours has partial first and last slices and whole hours between")
    void severalHours() {
        List<Windows.Slice> slices = Windows.slices(UsagePeriod.HOURLY, utc("2026-11-25T10:50:00Z"), utc("2026-11-25T13:05:00Z"));
        assertEquals(List.of(
                new Windows.Slice(utc("2026-11-25T10:00:00Z"), utc("2026-11-25T11:00:00Z"), 10 * MINUTE),
                new Windows.Slice(utc("2026-11-25T11:00:00Z"), utc("2026-11-25T12:00:00Z"), HOUR),
                new Windows.Slice(utc("2026-11-25T12:00:00Z"), utc("2026-11-25T13:00:00Z"), HOUR),
                new Windows.Slice(utc("2026-11-25T13:00:00Z"), utc("2026-11-25T14:00:00Z"), 5 * MINUTE)), slices);
    }

    @Test
    @DisplayName("23:30 to 00:30 UTC falls half into each day and into hours 23 and 00 of different days")
    void acrossMidnight() {
        long from = utc("2026-11-25T23:30:00Z");
        long to = utc("2026-11-26T00:30:00Z");
        assertEquals(List.of(
                        new Windows.Slice(utc("2026-11-25T00:00:00Z"), utc("2026-11-26T00:00:00Z"), 30 * MINUTE),
                        new Windows.Slice(utc("2026-11-26T00:00:00Z"), utc("2026-11-27T00:00:00Z"), 30 * MINUTE)),
                Windows.slices(UsagePeriod.DAILY, from, to));
        assertEquals(List.of(
                        new Windows.Slice(utc("2026-11-25T23:00:00Z"), utc("2026-11-26T00:00:00Z"), 30 * MINUTE),
                        new Windows.Slice(utc("2026-11-26T00:00:00Z"), utc("2026-11-26T01:00:00Z"), 30 * MINUTE)),
                Windows.slices(UsagePeriod.HOURLY, from, to));
    }

    @Test
    @DisplayName("a span of exactly one window, boundary to boundary, is one full slice and nothing of the next window")
    void boundaryToBoundary() {
        assertEquals(List.of(new Windows.Slice(utc("2026-11-25T11:00:00Z"), utc("2026-11-25T12:00:00Z"), HOUR)),
                Windows.slices(UsagePeriod.HOURLY, utc("2026-11-25T11:00:00Z"), utc("2026-11-25T12:00:00Z")));
        assertEquals(List.of(new Windows.Slice(utc("2026-11-25T00:00:00Z"), utc("2026-11-26T00:00:00Z"), 24 * HOUR)),
                Windows.slices(UsagePeriod.DAILY, utc("2026-11-25T00:00:00Z"), utc("2026-11-26T00:00:00Z")));
    }

    @Test
    @DisplayName("a span of several days keeps each day's share; the slices add up to the span")
    void severalDays() {
        long from = utc("2026-11-25T18:00:00Z");
        long to = utc("2026-11-28T06:00:00Z");
        List<Windows.Slice> slices = Windows.slices(UsagePeriod.DAILY, from, to);
        assertEquals(List.of(6 * HOUR, 24 * HOUR, 24 * HOUR, 6 * HOUR), slices.stream().map(Windows.Slice::millis).toList());
        assertEquals(to - from, Windows.slices(UsagePeriod.HOURLY, from, to).stream().mapToLong(Windows.Slice::millis).sum());
        assertEquals(60, Windows.slices(UsagePeriod.HOURLY, from, to).size());
    }

    @Test
    @DisplayName("an empty or reversed span has no slices")
    void empty() {
        long at = utc("2026-11-25T10:30:00Z");
        for (UsagePeriod period : UsagePeriod.values()) {
            assertEquals(List.of(), Windows.slices(period, at, at), "empty span, " + period);
            assertEquals(List.of(), Windows.slices(period, at, at - MINUTE), "reversed span, " + period);
            assertEquals(List.of(), Windows.slices(period, utc("2026-11-25T11:00:00Z"), utc("2026-11-25T11:00:00Z")), "empty at a boundary, " + period);
        }
    }

    @Test
    @DisplayName("one millisecond before a boundary is one millisecond in the earlier window only")
    void oneMillisecond() {
        assertEquals(List.of(new Windows.Slice(utc("2026-11-25T10:00:00Z"), utc("2026-11-25T11:00:00Z"), 1)),
                Windows.slices(UsagePeriod.HOURLY, utc("2026-11-25T10:59:59.999Z"), utc("2026-11-25T11:00:00Z")));
    }
}
