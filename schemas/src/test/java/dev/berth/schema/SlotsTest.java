package dev.berth.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Slots: mem and *.mem in bytes, every other slot in thousandths (RES-01, RES-02)")
class SlotsTest {

    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    @Nested
    @DisplayName("parse of a thousandths slot (cpu, cuda.shares)")
    class Thousandths {

        @ParameterizedTest(name = "cpu \"{0}\" is {1} thousandths")
        @CsvSource({"1, 1000", "0.5, 500", "2.25, 2250", "0.001, 1", "0, 0", "' 4 ', 4000"})
        @DisplayName("RES-01 a decimal core count becomes thousandths")
        void decimalText(String given, long expected) {
            // when
            long amount = Slots.parse(Slots.CPU, given);
            // then
            assertEquals(expected, amount);
        }

        @Test
        @DisplayName("RES-01 numbers are accepted as well as text: 1 → 1000, 0.5 → 500")
        void numbers() {
            assertEquals(1000, Slots.parse(Slots.CPU, 1));
            assertEquals(500, Slots.parse(Slots.CPU, 0.5));
            assertEquals(1500, Slots.parse(Slots.CPU, new BigDecimal("1.5")));
        }

        @Test
        @DisplayName("a fourth decimal (0.0005 cores) is rejected with a message that says why")
        void tooPrecise() {
            // when
            var e = assertThrows(IllegalArgumentException.class, () -> Slots.parse(Slots.CPU, "0.0005"));
            // then
            assertTrue(e.getMessage().contains("three decimals"), e.getMessage());
            assertTrue(e.getMessage().contains("0.0005"), e.getMessage());
        }

        @Test
        @DisplayName("text that is not a number is rejected and quoted back")
        void notANumber() {
            var e = assertThrows(IllegalArgumentException.class, () -> Slots.parse(Slots.CPU, "abc"));
            assertTrue(e.getMessage().contains("must be a number"), e.getMessage());
            assertTrue(e.getMessage().contains("\"abc\""), e.getMessage());
        }

        @ParameterizedTest(name = "cpu {0} is rejected")
        @ValueSource(strings = {"-1", "-0.5", "-0.001"})
        @DisplayName("negative amounts are rejected")
        void negative(String given) {
            var e = assertThrows(IllegalArgumentException.class, () -> Slots.parse(Slots.CPU, given));
            assertEquals("must not be negative", e.getMessage());
        }

        @Test
        @DisplayName("a value that is neither a number nor text is rejected")
        void wrongType() {
            var e = assertThrows(IllegalArgumentException.class, () -> Slots.parse(Slots.CPU, List.of(1)));
            assertTrue(e.getMessage().startsWith("must be a number"), e.getMessage());
        }

        @Test
        @DisplayName("an amount beyond a long is rejected, not wrapped around")
        void tooLarge() {
            var e = assertThrows(IllegalArgumentException.class, () -> Slots.parse(Slots.CPU, "1e20"));
            assertTrue(e.getMessage().contains("too large"), e.getMessage());
        }

        @Test
        @DisplayName("cuda.shares counts in thousandths too, and takes no size suffix")
        void cudaShares() {
            assertEquals(250, Slots.parse("cuda.shares", "0.25"));
            assertThrows(IllegalArgumentException.class, () -> Slots.parse("cuda.shares", "1g"));
        }
    }

    @Nested
    @DisplayName("parse of a byte slot (mem, *.mem)")
    class Bytes {

        @ParameterizedTest(name = "mem \"{0}\" is {1} bytes")
        @CsvSource({
                "256m, 268435456",
                "1g, 1073741824",
                "1.5g, 1610612736",
                "2G, 2147483648",
                "0.5k, 512",
                "1t, 1099511627776",
                "1024, 1024",
                "0, 0"})
        @DisplayName("RES-02 binary units k, m, g, t (case-insensitive) or plain bytes")
        void sizes(String given, long expected) {
            assertEquals(expected, Slots.parse(Slots.MEM, given));
        }

        @Test
        @DisplayName("a number is a count of bytes: 1024 → 1024")
        void number() {
            assertEquals(1024, Slots.parse(Slots.MEM, 1024));
            assertEquals(4 * GIB, Slots.parse(Slots.MEM, 4 * GIB));
        }

        @Test
        @DisplayName("an unknown unit such as 12x is rejected with the accepted forms in the message")
        void unknownUnit() {
            var e = assertThrows(IllegalArgumentException.class, () -> Slots.parse(Slots.MEM, "12x"));
            assertTrue(e.getMessage().contains("512m"), e.getMessage());
            assertTrue(e.getMessage().contains("\"12x\""), e.getMessage());
        }

        @ParameterizedTest(name = "mem \"{0}\" is rejected")
        @ValueSource(strings = {"1.5", "0.3k", "0.0000001g"})
        @DisplayName("fractions of a byte are rejected")
        void fractionalBytes(String given) {
            var e = assertThrows(IllegalArgumentException.class, () -> Slots.parse(Slots.MEM, given));
            assertTrue(e.getMessage().contains("whole number of bytes"), e.getMessage());
        }

        @ParameterizedTest(name = "mem \"{0}\" is rejected")
        @ValueSource(strings = {"-1", "-1g"})
        @DisplayName("negative sizes are rejected")
        void negative(String given) {
            var e = assertThrows(IllegalArgumentException.class, () -> Slots.parse(Slots.MEM, given));
            assertEquals("must not be negative", e.getMessage());
        }

        @ParameterizedTest(name = "mem \"{0}\" is rejected")
        @ValueSource(strings = {"", "g", "abc"})
        @DisplayName("no digits at all is rejected")
        void noDigits(String given) {
            assertThrows(IllegalArgumentException.class, () -> Slots.parse(Slots.MEM, given));
        }

        @Test
        @DisplayName("a value of the wrong type names the size form in the message")
        void wrongType() {
            var e = assertThrows(IllegalArgumentException.class, () -> Slots.parse(Slots.MEM, true));
            assertTrue(e.getMessage().contains("256m"), e.getMessage());
        }

        @Test
        @DisplayName("any slot ending in .mem is a byte slot: cuda.mem 1g is bytes")
        void acceleratorMemory() {
            assertTrue(Slots.isBytes("cuda.mem"));
            assertTrue(Slots.isBytes(Slots.MEM));
            assertFalse(Slots.isBytes(Slots.CPU));
            assertFalse(Slots.isBytes("cuda.shares"));
            assertFalse(Slots.isBytes("memory"));
            assertEquals(GIB, Slots.parse("cuda.mem", "1g"));
        }
    }

    @Nested
    @DisplayName("present: the user-facing value")
    class Present {

        @Test
        @DisplayName("cpu 1500 thousandths is shown as 1.5")
        void thousandthsAsDecimal() {
            Object shown = Slots.present(Slots.CPU, 1500);
            assertInstanceOf(BigDecimal.class, shown);
            assertEquals(0, new BigDecimal("1.5").compareTo((BigDecimal) shown), shown.toString());
            assertEquals("1.5", shown.toString());
        }

        @Test
        @DisplayName("mem stays a whole number of bytes")
        void bytesStayBytes() {
            assertEquals(256 * MIB, Slots.present(Slots.MEM, 256 * MIB));
            assertEquals(GIB, Slots.present("cuda.mem", GIB));
        }

        @ParameterizedTest(name = "{0} = {1} round trips")
        @CsvSource({"cpu, 1500", "cpu, 1", "cpu, 0", "cpu, 250", "cuda.shares, 125", "mem, 268435456", "cuda.mem, 1073741824"})
        @DisplayName("parse(present(x)) == x")
        void roundTrip(String slot, long amount) {
            assertEquals(amount, Slots.parse(slot, Slots.present(slot, amount)));
        }

        @Test
        @DisplayName("a map is presented slot by slot, sorted by slot name")
        void map() {
            Map<String, Object> shown = Slots.present(Map.of("mem", GIB, "cpu", 2500L, "cuda.shares", 500L));
            assertEquals(List.of("cpu", "cuda.shares", "mem"), List.copyOf(shown.keySet()));
            assertEquals("2.5", shown.get("cpu").toString());
            assertEquals("0.5", shown.get("cuda.shares").toString());
            assertEquals(GIB, shown.get("mem"));
        }

        @Test
        @DisplayName("cpu 10000 thousandths is shown as 10, not 1E+1")
        void wholeNumbersStayPlain() {
            assertEquals("10", Slots.present(Slots.CPU, 10_000).toString());
            assertEquals("20", Slots.present(Slots.CPU, 20_000).toString());
        }
    }

    @Nested
    @DisplayName("combine")
    class Combine {

        @Test
        @DisplayName("RES-02 adds slot by slot; a slot missing on either side counts as zero")
        void adds() {
            // given
            Map<String, Long> a = Map.of("cpu", 1000L, "mem", GIB);
            Map<String, Long> b = Map.of("cpu", 500L, "cuda.shares", 250L);
            // when
            Map<String, Long> sum = Slots.combine(a, b, 1);
            // then
            assertEquals(Map.of("cpu", 1500L, "mem", GIB, "cuda.shares", 250L), sum);
        }

        @Test
        @DisplayName("RES-02 subtracts with sign -1; a slot only on the right goes negative")
        void subtracts() {
            Map<String, Long> a = Map.of("cpu", 4000L, "mem", 4 * GIB);
            Map<String, Long> b = Map.of("cpu", 1500L, "cuda.shares", 250L);
            assertEquals(Map.of("cpu", 2500L, "mem", 4 * GIB, "cuda.shares", -250L), Slots.combine(a, b, -1));
        }

        @Test
        @DisplayName("adding then subtracting the same amounts gives back the original")
        void inverse() {
            Map<String, Long> a = Map.of("cpu", 4000L, "mem", 4 * GIB);
            Map<String, Long> b = Map.of("cpu", 1500L, "mem", GIB);
            assertEquals(a, Slots.combine(Slots.combine(a, b, 1), b, -1));
        }

        @Test
        @DisplayName("the inputs are left unchanged")
        void pure() {
            Map<String, Long> a = new HashMap<>(Map.of("cpu", 1000L));
            Map<String, Long> b = new HashMap<>(Map.of("cpu", 500L, "mem", 1L));
            Slots.combine(a, b, 1);
            assertEquals(Map.of("cpu", 1000L), a);
            assertEquals(Map.of("cpu", 500L, "mem", 1L), b);
        }
    }
}
