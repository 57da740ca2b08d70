package dev.berth.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EnvTest {

    @Test
    @DisplayName("typed reads fall back on blanks and name the setting when a value is wrong")
    void typedReads() {
        Env env = new Env(Map.of("P", "8080", "D", "500ms", "M", "2m", "BAD", "x", "BLANK", " "));
        assertEquals(8080, env.integer("P", 1, 0, 65535));
        assertEquals(7, env.integer("BLANK", 7, 0, 10));
        assertEquals(Duration.ofMillis(500), env.duration("D", Duration.ZERO));
        assertEquals(Duration.ofMinutes(2), env.duration("M", Duration.ZERO));
        var e = assertThrows(IllegalArgumentException.class, () -> env.integer("BAD", 1, 0, 10));
        assertTrue(e.getMessage().startsWith("BAD "), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> env.integer("P", 1, 0, 100));
        assertThrows(IllegalArgumentException.class, () -> env.duration("BAD", Duration.ZERO));
    }

    @Test
    @DisplayName("a flag is true or false in any case, falls back when blank, and names the setting otherwise")
    void flags() {
        Env env = new Env(Map.of("ON", "TRUE", "OFF", "false", "BLANK", "", "BAD", "yes"));
        assertTrue(env.bool("ON", false));
        assertEquals(false, env.bool("OFF", true));
        assertTrue(env.bool("BLANK", true));
        assertTrue(env.bool("MISSING", true));
        var e = assertThrows(IllegalArgumentException.class, () -> env.bool("BAD", false));
        assertTrue(e.getMessage().startsWith("BAD must be true or false"), e.getMessage());
    }

    @Test
    @DisplayName("BerthConfig defaults: embedded Kafka, no prefix, four partitions")
    void berthDefaults() {
        BerthConfig config = BerthConfig.from(new Env(Map.of()));
        assertEquals("", config.kafkaBootstrap());
        assertEquals(4, config.partitions());
        assertEquals("session.requests", config.topics().sessionRequests.name());
    }
}
