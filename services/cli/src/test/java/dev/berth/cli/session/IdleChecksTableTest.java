package dev.berth.cli.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.cli.Json;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IdleChecksTableTest {

    @Test
    @DisplayName("IDL-20 each checker's time left; -1 reads expired, null unlimited")
    void table() throws Exception {
        String text = IdleChecksCommand.table(Json.parse("""
                {"sessionId": "9f1c", "idleChecks": {
                  "network_timeout": {"remaining": 512.3, "remaining_time_type": "expire_after", "extra": null},
                  "session_lifetime": {"remaining": -1.0, "remaining_time_type": "expire_after", "extra": null},
                  "utilization": {"remaining": null, "remaining_time_type": "grace_period", "extra": {"resources": {"cpu_util": 3.5}}}}}""")).render();
        assertEquals("""
                CHECKER            REMAINING   TYPE           EXTRA
                network_timeout    8m32s       expire_after   -
                session_lifetime   expired     expire_after   -
                utilization        unlimited   grace_period   resources={"cpu_util":3.5}
                """, text);
    }
}
