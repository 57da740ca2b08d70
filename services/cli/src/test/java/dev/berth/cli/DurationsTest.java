package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    @DisplayName("an age is its largest whole unit; hours up to two days")
    void age() {
        assertEquals("0s", Durations.age(Duration.ofMillis(-20)));
        assertEquals("59s", Durations.age(Duration.ofSeconds(59)));
        assertEquals("12m", Durations.age(Duration.ofSeconds(12 * 60 + 59)));
        assertEquals("47h", Durations.age(Duration.ofHours(47)));
        assertEquals("3d", Durations.age(Duration.ofHours(72)));
    }

    @Test
    @DisplayName("a time left counts to the second; elapsed time to a tenth; bytes in binary units")
    void remainingElapsedBytes() {
        assertEquals("9s", Durations.remaining(Duration.ofSeconds(9)));
        assertEquals("8m32s", Durations.remaining(Duration.ofSeconds(512)));
        assertEquals("1d2h0m5s", Durations.remaining(Duration.ofSeconds(86400 + 7205)));
        assertEquals("3.4s", Durations.elapsed(Duration.ofMillis(3449)));
        assertEquals("512B", Units.bytes(512));
        assertEquals("1.5KiB", Units.bytes(1536));
        assertEquals("64.0MiB", Units.bytes(64L << 20));
    }
}
