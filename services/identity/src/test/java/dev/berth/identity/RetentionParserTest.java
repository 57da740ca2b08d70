package dev.berth.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetentionParserTest {

    @Test
    @DisplayName("USG-06 retention accepts 30m, 6h, 3d, 2w, 3mo, 1yr and plain seconds")
    void formats() {
        assertEquals(Duration.ofMinutes(30), RetentionParser.parse("30m"));
        assertEquals(Duration.ofHours(6), RetentionParser.parse("6h"));
        assertEquals(Duration.ofDays(3), RetentionParser.parse("3d"));
        assertEquals(Duration.ofDays(14), RetentionParser.parse("2w"));
        assertEquals(Duration.ofDays(90), RetentionParser.parse("3mo"));
        assertEquals(Duration.ofDays(365), RetentionParser.parse("1yr"));
        assertEquals(Duration.ofSeconds(86400), RetentionParser.parse("86400"));
        assertEquals(Duration.ofSeconds(1), RetentionParser.parse("1"));
        assertEquals(Duration.ofDays(3), RetentionParser.parse(" 3d "), "surrounding blanks are ignored");
        assertEquals(Duration.ofMinutes(90), RetentionParser.parse("090m"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "d", "3 d", "3D", "3y", "3s", "3min", "3months", "1.5h", "-3d", "+3d", "3d3h", "1234567890123456789", "abc"})
    @DisplayName("USG-06 anything else is refused with a message naming the accepted forms")
    void refusesOtherForms(String text) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> RetentionParser.parse(text));
        assertTrue(refused.getMessage().startsWith("retention"), refused.getMessage());
        assertTrue(refused.getMessage().contains("30m, 6h, 3d, 2w, 3mo, 1yr or 86400"), refused.getMessage());
    }

    @Test
    @DisplayName("USG-06 a zero or too long retention is refused with its own reason")
    void refusesZeroAndOverflow() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RetentionParser.parse("0h")).getMessage().contains("longer than zero"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RetentionParser.parse("0")).getMessage().contains("longer than zero"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RetentionParser.parse("999999999999999999yr")).getMessage().contains("too long"));
        assertThrows(IllegalArgumentException.class, () -> RetentionParser.parse(null));
    }
}
