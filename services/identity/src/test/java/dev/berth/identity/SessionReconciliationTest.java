package dev.berth.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SessionReconciliationTest {

    private static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");
    private static final Duration GRACE = Duration.ofMinutes(1);

    static Session session(String id, SessionStatus status, long version, Instant changedAt) {
        // Avro builds Berth's records only once BerthSerdes has trusted their package, as every reader of a topic has
        BerthSerdes.KEY.getClass();
        return Session.newBuilder()
                .setSessionId(id)
                .setAccessKey("AKIARECONCILE")
                .setSpec(SessionSpec.newBuilder().setName("reconciled").setImage("python:3").setResources(Map.of("cpu", 1000L))
                        .setDomain("tenant-a").setProject("proj-a").build())
                .setStatus(status)
                .setStatusHistory(Map.of(status.name(), changedAt.toEpochMilli()))
                .setCreatedAt(changedAt.minus(Duration.ofHours(1)))
                .setTerminatedAt(status == SessionStatus.TERMINATED ? changedAt : null)
                .setKernels(List.of())
                .setVersion(version)
                .build();
    }

    @Test
    @DisplayName("a live row is stuck when Kafka's state is ended, newer, and older than the grace; anything else is left to the projector")
    void stuck() {
        Instant longAgo = NOW.minus(Duration.ofMinutes(10));
        Map<String, Session> view = Map.of(
                "terminated", session("terminated", SessionStatus.TERMINATED, 5, longAgo),
                "cancelled", session("cancelled", SessionStatus.CANCELLED, 2, longAgo),
                "just-ended", session("just-ended", SessionStatus.TERMINATED, 5, NOW.minusSeconds(10)),
                "running", session("running", SessionStatus.RUNNING, 7, longAgo),
                "same-version", session("same-version", SessionStatus.ERROR, 4, longAgo));
        List<SessionReconciliation.LiveRow> rows = List.of(
                new SessionReconciliation.LiveRow("terminated", 3),
                new SessionReconciliation.LiveRow("cancelled", 1),
                new SessionReconciliation.LiveRow("just-ended", 3),
                new SessionReconciliation.LiveRow("running", 3),
                new SessionReconciliation.LiveRow("same-version", 4),
                new SessionReconciliation.LiveRow("unknown-to-the-view", 1));
        List<Session> stuck = SessionReconciliation.stuck(rows, id -> Optional.ofNullable(view.get(id)), NOW, GRACE);
        assertEquals(List.of("terminated", "cancelled"), stuck.stream().map(Session::getSessionId).toList());
    }
}
