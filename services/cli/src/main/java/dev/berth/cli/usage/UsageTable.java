package dev.berth.cli.usage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Cells;
import dev.berth.cli.Table;
import dev.berth.cli.Units;
import java.util.List;
import java.util.Locale;

/** A usage answer as a table: one row per day with use, then the month's totals; bytes in binary units. */
final class UsageTable {

    private static final List<String> OWNERS = List.of("project", "user", "domain", "session");

    private UsageTable() {}

    /** {@code project default, 2026-11}. */
    static String title(JsonNode answer) {
        for (String kind : OWNERS) {
            if (answer.hasNonNull(kind)) return kind + " " + answer.path(kind).asText() + ", " + answer.path("month").asText();
        }
        return answer.path("month").asText();
    }

    static Table of(JsonNode answer) {
        Table table = Table.of("DATE", "CPU USED", "MEM PEAK", "IO READ", "IO WRITE", "NET RX", "NET TX", "SAMPLES", "SLOT-SECONDS").titled(title(answer));
        for (JsonNode day : answer.path("days")) row(table, day.path("date").asText(), day);
        row(table, "TOTAL", answer.path("totals"));
        return table;
    }

    private static void row(Table table, String label, JsonNode use) {
        table.row(label,
                String.format(Locale.ROOT, "%.1fs", use.path("cpuUsedSeconds").asDouble()),
                Units.bytes(use.path("memPeakBytes").asLong()),
                Units.bytes(use.path("ioReadBytes").asLong()),
                Units.bytes(use.path("ioWriteBytes").asLong()),
                Units.bytes(use.path("netRxBytes").asLong()),
                Units.bytes(use.path("netTxBytes").asLong()),
                use.path("samples").asText("0"),
                Cells.text(use.path("allocatedSlotSeconds")));
    }
}
