package dev.berth.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    @DisplayName("HOOK retries wait 1 s, 2 s, 4 s … doubling after each failure, up to the maximum")
    void doubles() {
        List<Duration> waits = IntStream.rangeClosed(1, 8).mapToObj(failures ->
                Backoff.after(failures, Duration.ofSeconds(1), Duration.ofSeconds(60))).toList();
        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L), waits.stream().map(Duration::toSeconds).toList());
    }

    @Test
    @DisplayName("HOOK a thousand failures wait the maximum, without overflowing")
    void capped() {
        assertEquals(Duration.ofMinutes(5), Backoff.after(1000, Duration.ofDays(1), Duration.ofMinutes(5)));
        assertEquals(Duration.ofMinutes(5), Backoff.after(1000, Duration.ofMillis(1), Duration.ofMinutes(5)));
    }

    @Test
    @DisplayName("there is no wait before a first failure")
    void noFailure() {
        assertThrows(IllegalArgumentException.class, () -> Backoff.after(0, Duration.ofSeconds(1), Duration.ofSeconds(2)));
    }
}
