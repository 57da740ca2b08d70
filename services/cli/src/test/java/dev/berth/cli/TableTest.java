package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    @DisplayName("columns are as wide as their widest cell, three spaces apart; the last is not padded")
    void aligned() {
        String text = Table.of("ID", "NAME", "STATUS")
                .row("a1", "hello", "RUNNING")
                .row("b22222", "x", "PENDING")
                .render();
        assertEquals("""
                ID       NAME    STATUS
                a1       hello   RUNNING
                b22222   x       PENDING
                """, text);
    }

    @Test
    @DisplayName("an empty cell reads '-', a line break in a cell reads \\n so the columns hold")
    void cellsStayOnOneLine() {
        String text = Table.of("A", "B").row("", "echo 1\necho 2").row(null, "x").render();
        assertEquals("""
                A   B
                -   echo 1\\necho 2
                -   x
                """, text);
    }

    @Test
    @DisplayName("a title goes above the header; a table without rows is its header")
    void titledAndEmpty() {
        assertEquals("project default, 2026-11\nDATE   TOTAL\n", Table.of("DATE", "TOTAL").titled("project default, 2026-11").render());
    }

    @Test
    @DisplayName("a row must have one cell per column")
    void rowWidth() {
        assertThrows(IllegalArgumentException.class, () -> Table.of("A", "B").row("only one"));
    }

    @Test
    @DisplayName("an object shows field by field, without its null fields; maps as k=v, lists comma-joined, decimals as given")
    void fields() throws Exception {
        String text = Table.fields(Json.parse("""
                {"name": "hello", "error": null, "resources": {"cpu": 0.50, "mem": 67108864}, "agents": ["a", "b"],
                 "kernels": [{"role": "main"}], "exitCode": 0, "isActive": true, "empty": {}}""")).render();
        assertEquals("""
                FIELD       VALUE
                name        hello
                resources   cpu=0.5,mem=67108864
                agents      a,b
                kernels     {"role":"main"}
                exitCode    0
                isActive    true
                empty       -
                """, text);
    }
}
