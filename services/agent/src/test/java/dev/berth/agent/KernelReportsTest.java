package dev.berth.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.schema.avro.KernelStats;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class KernelReportsTest {

    @Test
    @DisplayName("cpu percent is cpu time over wall time, 100 per busy core, two decimals")
    void percent() {
        assertEquals(50.0, KernelReports.percent(500_000_000L, 1_000_000_000L));
        assertEquals(200.0, KernelReports.percent(2_000_000_000L, 1_000_000_000L));
        assertEquals(33.33, KernelReports.percent(1, 3));
        assertEquals(0.0, KernelReports.percent(5, 0), "no time passed");
        assertEquals(0.0, KernelReports.percent(-5, 10), "a counter that went back (a new cgroup) is no usage");
    }

    @Test
    @DisplayName("the Redis value of a sample is JSON with every counter")
    void json() {
        KernelStats stats = KernelStats.newBuilder().setKernelId("k\"1").setSessionId("s").setAgentId("a")
                .setAt(Instant.parse("2026-11-25T10:00:00Z")).setSeq(7).setCpuUsedMs(12).setCpuPercent(1.5)
                .setMemBytes(100).setMemPeakBytes(200).setNetRxBytes(1).setNetTxBytes(2).setIoReadBytes(3).setIoWriteBytes(4)
                .build();

        assertEquals("{\"kernelId\":\"k\\\"1\",\"agentId\":\"a\",\"at\":\"2026-11-25T10:00:00Z\",\"seq\":7,\"cpuUsedMs\":12,"
                + "\"cpuPercent\":1.5,\"memBytes\":100,\"memPeakBytes\":200,\"netRxBytes\":1,\"netTxBytes\":2,"
                + "\"ioReadBytes\":3,\"ioWriteBytes\":4}", KernelReports.json(stats));
    }
}
