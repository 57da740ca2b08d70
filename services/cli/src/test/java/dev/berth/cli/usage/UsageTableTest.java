package dev.berth.cli.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.cli.Json;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class UsageTableTest {

    @Test
    @DisplayName("a month's usage: its owner and month, a row per day, then the totals")
    void table() throws Exception {
        String text = UsageTable.of(Json.parse("""
                {"project": "default", "month": "2026-11", "from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z",
                 "totals": {"allocatedSlotSeconds": {"cpu": 90.5, "mem": 6.7108864E9}, "cpuUsedSeconds": 12.25, "memPeakBytes": 67108864,
                            "ioReadBytes": 1536, "ioWriteBytes": 0, "netRxBytes": 2048, "netTxBytes": 512, "samples": 30},
                 "days": [{"date": "2026-11-24", "allocatedSlotSeconds": {"cpu": 90.5, "mem": 6.7108864E9}, "cpuUsedSeconds": 12.25,
                           "memPeakBytes": 67108864, "ioReadBytes": 1536, "ioWriteBytes": 0, "netRxBytes": 2048, "netTxBytes": 512,
                           "samples": 30}]}""")).render();
        assertEquals("""
                project default, 2026-11
                DATE         CPU USED   MEM PEAK   IO READ   IO WRITE   NET RX   NET TX   SAMPLES   SLOT-SECONDS
                2026-11-24   12.3s      64.0MiB    1.5KiB    0B         2.0KiB   512B     30        cpu=90.5,mem=6710886400
                TOTAL        12.3s      64.0MiB    1.5KiB    0B         2.0KiB   512B     30        cpu=90.5,mem=6710886400
                """, text);
    }

    @Test
    @DisplayName("a month without use is its totals row")
    void empty() throws Exception {
        String text = UsageTable.of(Json.parse("""
                {"user": "u-1", "month": "2026-10", "days": [], "totals": {"allocatedSlotSeconds": {}, "cpuUsedSeconds": 0.0,
                 "memPeakBytes": 0, "ioReadBytes": 0, "ioWriteBytes": 0, "netRxBytes": 0, "netTxBytes": 0, "samples": 0}}""")).render();
        assertEquals("""
                user u-1, 2026-10
                DATE    CPU USED   MEM PEAK   IO READ   IO WRITE   NET RX   NET TX   SAMPLES   SLOT-SECONDS
                TOTAL   0.0s       0B         0B        0B         0B       0B       0         -
                """, text);
    }
}
