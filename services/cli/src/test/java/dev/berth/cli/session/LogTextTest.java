package dev.berth.cli.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LogTextTest {

    @Test
    @DisplayName("output that grew: what was added")
    void grew() {
        assertEquals("three\n", LogText.fresh("one\ntwo\n", "one\ntwo\nthree\n"));
        assertEquals("", LogText.fresh("one\n", "one\n"));
        assertEquals("one\n", LogText.fresh("", "one\n"));
    }

    @Test
    @DisplayName("a window that slid: what follows the longest end of the last read the new one starts with")
    void slid() {
        assertEquals("d\ne\n", LogText.fresh("a\nb\nc\n", "b\nc\nd\ne\n"));
        assertEquals(5, LogText.overlap("zabcab", "abcab"));
        assertEquals(3, LogText.overlap("aabaab", "aabx"));
        assertEquals(0, LogText.overlap("abc", "xyz"));
        assertEquals(2, LogText.overlap("aaaa", "aab"));
    }

    @Test
    @DisplayName("an output replaced entirely (another kernel) is all new")
    void replaced() {
        assertEquals("fresh start\n", LogText.fresh("old\n", "fresh start\n"));
    }

    @Test
    @DisplayName("--tail keeps the last lines with their line ends; a last line without one counts")
    void tail() {
        assertEquals("b\nc", LogText.tail("a\nb\nc", 2));
        assertEquals("a\nb\n", LogText.tail("a\nb\n", 5));
        assertEquals("a\nb\n", LogText.tail("a\nb\n", null));
        assertEquals("", LogText.tail("", 3));
    }
}
