package dev.berth.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.Env;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WebhookSettingsTest {

    @Test
    @DisplayName("HOOK defaults: 5 s timeout, 6 tries from 1 s doubling to 5 min, 4 per receiver, unsigned callbacks, no loopback")
    void defaults() {
        WebhookSettings settings = WebhookSettings.from(new Env(Map.of()));
        assertEquals(Duration.ofSeconds(5), settings.timeout());
        assertEquals(6, settings.attempts());
        assertEquals(Duration.ofSeconds(1), settings.backoff());
        assertEquals(Duration.ofMinutes(5), settings.maxBackoff());
        assertEquals(4, settings.concurrency());
        assertEquals(Optional.empty(), settings.secret());
        assertTrue(settings.urls().problem("http://127.0.0.1:9/x").isPresent());
        assertEquals(Duration.ofSeconds(15), settings.lease());
    }

    @Test
    @DisplayName("HOOK every setting is read from its variable; BERTH_DEV_MODE lets loopback receivers in")
    void fromEnvironment() {
        WebhookSettings settings = WebhookSettings.from(new Env(Map.of("BERTH_WEBHOOK_TIMEOUT", "500ms", "BERTH_WEBHOOK_ATTEMPTS", "3",
                "BERTH_WEBHOOK_BACKOFF", "100ms", "BERTH_WEBHOOK_BACKOFF_MAX", "1s", "BERTH_WEBHOOK_CONCURRENCY", "2",
                "BERTH_WEBHOOK_POLL", "50ms", "BERTH_WEBHOOK_SECRET", "s3cret", "BERTH_DEV_MODE", "true")));
        assertEquals(Duration.ofMillis(500), settings.timeout());
        assertEquals(3, settings.attempts());
        assertEquals(Duration.ofMillis(100), settings.backoff());
        assertEquals(Duration.ofSeconds(1), settings.maxBackoff());
        assertEquals(2, settings.concurrency());
        assertEquals(Duration.ofMillis(50), settings.poll());
        assertEquals(Optional.of("s3cret"), settings.secret());
        assertFalse(settings.urls().problem("http://127.0.0.1:9/x").isPresent());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({"BERTH_WEBHOOK_TIMEOUT,0s", "BERTH_WEBHOOK_ATTEMPTS,0", "BERTH_WEBHOOK_BACKOFF,soon", "BERTH_WEBHOOK_BACKOFF_MAX,10ms",
            "BERTH_WEBHOOK_CONCURRENCY,0", "BERTH_WEBHOOK_POLL,0ms", "BERTH_DEV_MODE,yes", "BERTH_WEBHOOK_DENY,10.0.0.0/33"})
    @DisplayName("a bad value fails at start, naming its setting")
    void badValue(String name, String value) {
        var e = assertThrows(IllegalArgumentException.class, () -> WebhookSettings.from(new Env(Map.of(name, value))));
        assertTrue(e.getMessage().contains(name), e.getMessage());
    }
}
