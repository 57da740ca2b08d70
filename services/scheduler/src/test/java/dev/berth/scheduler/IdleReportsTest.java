package dev.berth.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.topology.idle.Checker;
import dev.berth.topology.idle.IdleReport;
import dev.berth.topology.idle.ThresholdOperator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IdleReportsTest {

    @Test
    @DisplayName("IDL-07 a report's key is session.<id>.<checker>.report")
    void key() {
        assertEquals("session.s1.network_timeout.report", IdleReports.key("s1", Checker.NETWORK_TIMEOUT));
    }

    @Test
    @DisplayName("IDL-18/20 a report carries its deadline (null when unlimited), its type and, for utilization, the averages against the thresholds")
    void json() {
        assertEquals("{\"deadline\":1500,\"at\":1000,\"remaining_time_type\":\"expire_after\",\"extra\":null}",
                IdleReports.json(new IdleReport(Checker.SESSION_LIFETIME, 1500L, 1000, null)));
        assertEquals("{\"deadline\":null,\"at\":1000,\"remaining_time_type\":\"expire_after\",\"extra\":null}",
                IdleReports.json(IdleReport.infinite(Checker.NETWORK_TIMEOUT, 1000)));
        assertEquals("{\"deadline\":9000,\"at\":1000,\"remaining_time_type\":\"grace_period\",\"extra\":"
                        + "{\"thresholds_check_operator\":\"or\",\"resources\":{\"cpu_util\":[2.5,10.0]}}}",
                IdleReports.json(new IdleReport(Checker.UTILIZATION, 9000L, 1000,
                        new IdleReport.Utilization(ThresholdOperator.OR, Map.of("cpu_util", List.of(2.5, 10.0))))));
    }
}
