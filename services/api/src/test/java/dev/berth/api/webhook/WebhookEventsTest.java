package dev.berth.api.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionResult;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WebhookEventsTest {

    /** Loading BerthSerdes makes Avro trust Berth's generated classes. */
    private static final Object AVRO_TRUST = BerthSerdes.KEY;

    private static SessionEvent event(SessionEventKind kind, SessionResult result) {
        Instant at = Instant.parse("2026-12-01T08:00:00Z");
        Session session = Session.newBuilder().setSessionId("s").setAccessKey("AK")
                .setSpec(SessionSpec.newBuilder().setName("n").setImage("i").setResources(Map.of()).build())
                .setStatus(SessionStatus.TERMINATED).setStatusHistory(Map.of()).setResult(result).setCreatedAt(at).setKernels(List.of()).build();
        return SessionEvent.newBuilder().setSessionId("s").setAt(at).setKind(kind).setSession(session).build();
    }

    @Test
    @DisplayName("HOOK-01/02 lifecycle events are named without a prefix; a batch session's end is terminated, then success or failure")
    void names() {
        assertEquals(List.of("started"), WebhookEvents.of(event(SessionEventKind.STARTED, SessionResult.UNDEFINED)));
        assertEquals(List.of("cancelled"), WebhookEvents.of(event(SessionEventKind.CANCELLED, SessionResult.UNDEFINED)));
        assertEquals(List.of("terminated"), WebhookEvents.of(event(SessionEventKind.TERMINATED, SessionResult.UNDEFINED)));
        assertEquals(List.of("terminated", "success"), WebhookEvents.of(event(SessionEventKind.TERMINATED, SessionResult.SUCCESS)));
        assertEquals(List.of("terminated", "failure"), WebhookEvents.of(event(SessionEventKind.TERMINATED, SessionResult.FAILURE)));
    }

    @Test
    @DisplayName("HOOK a rename and a waiting session's new reason are not lifecycle events")
    void notTold() {
        assertEquals(List.of(), WebhookEvents.of(event(SessionEventKind.RENAMED, SessionResult.UNDEFINED)));
        assertEquals(List.of(), WebhookEvents.of(event(SessionEventKind.WAITING, SessionResult.UNDEFINED)));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(SessionEventKind.class)
    @DisplayName("every name an event is told as is one a subscription may filter on")
    void filterable(SessionEventKind kind) {
        for (SessionResult result : SessionResult.values()) {
            for (String name : WebhookEvents.of(event(kind, result))) assertTrue(WebhookEvents.NAMES.contains(name), name);
        }
    }
}
