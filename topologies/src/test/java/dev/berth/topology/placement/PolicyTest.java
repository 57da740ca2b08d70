package dev.berth.topology.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Policy: configured by name (ALG-01)")
class PolicyTest {

    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource({"fifo, FIFO", "FIFO, FIFO", "lifo, LIFO", "Lifo, LIFO", "drf, DRF", "DRF, DRF", "mof, MOF", "mOf, MOF"})
    @DisplayName("ALG-01 fifo, lifo, drf and mof are known in any case")
    void parse(String name, String expected) {
        Policy want = switch (expected) {
            case "FIFO" -> Policy.FIFO;
            case "LIFO" -> Policy.LIFO;
            case "DRF" -> Policy.DRF;
            default -> Policy.MOF;
        };
        assertEquals(want, Policy.parse(name));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @NullSource
    @ValueSource(strings = {"", "fair", "fifo ", "round-robin"})
    @DisplayName("ALG-01 any other name is refused, naming the allowed ones")
    void unknown(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Policy.parse(name));
        assertTrue(e.getMessage().contains("fifo, lifo, drf, mof"), e.getMessage());
        assertTrue(e.getMessage().contains("\"" + name + "\""), e.getMessage());
    }

    @Test
    @DisplayName("ALG-03 fifo by name skips nothing; fifo(n) carries num_retries_to_skip, which must not be negative")
    void fifoRetries() {
        assertEquals(new Policy.Fifo(0), Policy.parse("fifo"));
        assertEquals(3, ((Policy.Fifo) Policy.fifo(3)).numRetriesToSkip());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Policy.fifo(-1));
        assertTrue(e.getMessage().contains("num_retries_to_skip"), e.getMessage());
    }
}
