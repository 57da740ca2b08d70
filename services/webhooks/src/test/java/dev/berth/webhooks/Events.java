package dev.berth.webhooks;

import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionResult;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.schema.avro.SessionType;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Session events as the lifecycle writes them, for one session of a project and user, version by version. */
final class Events {

    /** Loading BerthSerdes makes Avro trust Berth's generated classes. */
    private static final Object AVRO_TRUST = BerthSerdes.KEY;
    static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");

    private final String sessionId;
    private final String project;
    private final String userId;
    private final String callbackUrl;
    private final SessionType type;

    Events(String sessionId, String project, String userId, String callbackUrl, SessionType type) {
        this.sessionId = sessionId;
        this.project = project;
        this.userId = userId;
        this.callbackUrl = callbackUrl;
        this.type = type;
    }

    /** The event that brought the session to {@code version}. */
    SessionEvent at(long version, SessionEventKind kind, SessionStatus status, SessionResult result) {
        Instant when = T0.plusSeconds(version);
        Session session = Session.newBuilder()
                .setSessionId(sessionId)
                .setAccessKey("AKIAWEBHOOKS0000")
                .setSpec(SessionSpec.newBuilder().setName("hooked").setImage("python:3").setResources(Map.of("cpu", 1000L))
                        .setSessionType(type).setDomain("default").setProject(project).setUserId(userId).setCallbackUrl(callbackUrl).build())
                .setStatus(status)
                .setStatusHistory(Map.of(status.name(), when.toEpochMilli()))
                .setResult(result)
                .setCreatedAt(T0)
                .setKernels(List.of())
                .setVersion(version)
                .build();
        return SessionEvent.newBuilder().setSessionId(sessionId).setAt(when).setKind(kind).setSession(session).build();
    }

    SessionEvent at(long version, SessionEventKind kind, SessionStatus status) {
        return at(version, kind, status, SessionResult.UNDEFINED);
    }

    /** A whole interactive life: enqueued, scheduled, preparing, started, terminating, terminated (versions 1..6). */
    List<SessionEvent> life() {
        return List.of(
                at(1, SessionEventKind.ENQUEUED, SessionStatus.PENDING),
                at(2, SessionEventKind.SCHEDULED, SessionStatus.SCHEDULED),
                at(3, SessionEventKind.PREPARING, SessionStatus.PREPARING),
                at(4, SessionEventKind.STARTED, SessionStatus.RUNNING),
                at(5, SessionEventKind.TERMINATING, SessionStatus.TERMINATING),
                at(6, SessionEventKind.TERMINATED, SessionStatus.TERMINATED));
    }

    /** The names {@link #life()} is told as, in order. */
    static final List<String> LIFE = List.of("enqueued", "scheduled", "preparing", "started", "terminating", "terminated");
}
