package dev.berth.cli.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Json;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SessionTableTest {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    @Test
    @DisplayName("sessions list as ID NAME STATUS TYPE AGE, the age from creation")
    void table() throws Exception {
        JsonNode items = Json.parse("""
                [{"sessionId": "9f1c", "name": "count", "status": "TERMINATED", "type": "batch", "createdAt": "2026-11-25T11:58:30Z"},
                 {"sessionId": "0b9e2d", "name": "hello", "status": "RUNNING", "type": "interactive", "createdAt": "2026-11-22T12:00:00.5Z"},
                 {"sessionId": "77", "name": "fresh", "status": "PENDING", "type": "inference"}]""");
        assertEquals("""
                ID       NAME    STATUS       TYPE          AGE
                9f1c     count   TERMINATED   batch         1m
                0b9e2d   hello   RUNNING      interactive   2d
                77       fresh   PENDING      inference     -
                """, SessionTable.of(items, NOW).render());
    }

    @Test
    @DisplayName("--wait stops once a session runs, a batch session only once it ended")
    void settled() throws Exception {
        assertFalse(Sessions.settled(Json.parse("{\"status\": \"PENDING\", \"type\": \"interactive\"}")));
        assertTrue(Sessions.settled(Json.parse("{\"status\": \"RUNNING\", \"type\": \"interactive\"}")));
        assertTrue(Sessions.settled(Json.parse("{\"status\": \"RUNNING\", \"type\": \"inference\"}")));
        assertFalse(Sessions.settled(Json.parse("{\"status\": \"RUNNING\", \"type\": \"batch\"}")));
        for (String ended : new String[] {"TERMINATED", "CANCELLED", "ERROR"}) {
            assertTrue(Sessions.settled(Json.parse("{\"status\": \"" + ended + "\", \"type\": \"batch\"}")), ended);
        }
    }

    @Test
    @DisplayName("SES-20 a wait failed when the session was cancelled, broke, or its batch command failed")
    void failedWaits() throws Exception {
        assertFalse(Sessions.failed(Json.parse("{\"status\": \"RUNNING\", \"result\": \"UNDEFINED\"}")));
        assertFalse(Sessions.failed(Json.parse("{\"status\": \"TERMINATED\", \"result\": \"SUCCESS\"}")));
        assertTrue(Sessions.failed(Json.parse("{\"status\": \"TERMINATED\", \"result\": \"FAILURE\"}")));
        assertTrue(Sessions.failed(Json.parse("{\"status\": \"CANCELLED\"}")));
        assertTrue(Sessions.failed(Json.parse("{\"status\": \"ERROR\"}")));
        assertEquals("session 9f1c ended TERMINATED (self-terminated), exit code 3", Sessions.outcome(Json.parse("""
                {"sessionId": "9f1c", "status": "TERMINATED", "statusInfo": "self-terminated", "exitCode": 3, "error": null}""")));
    }
}
