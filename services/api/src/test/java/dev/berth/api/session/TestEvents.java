package dev.berth.api.session;

import dev.berth.api.session.EventFanOut.Published;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Sessions and their events as the lifecycle writes them, for tests of the event streams. */
public final class TestEvents {

    public static final Instant AT = Instant.parse("2026-11-20T10:00:00.123Z");
    /** Loading BerthSerdes makes Avro trust Berth's generated classes, which their builders' defaults need. */
    private static final Object AVRO_TRUST = BerthSerdes.KEY;

    private TestEvents() {}

    /** A session of {@code owner} (access key; its user is "u-" + owner) in {@code project} of {@code domain}. */
    public static Session session(String sessionId, String owner, String domain, String project, long version) {
        return Session.newBuilder()
                .setSessionId(sessionId)
                .setAccessKey(owner)
                .setSpec(SessionSpec.newBuilder()
                        .setName("s-" + version)
                        .setImage("python:3.12")
                        .setResources(Map.of("cpu", 1000L))
                        .setUserId("u-" + owner)
                        .setDomain(domain)
                        .setProject(project)
                        .build())
                .setStatus(SessionStatus.PENDING)
                .setStatusHistory(Map.of(SessionStatus.PENDING.name(), AT.toEpochMilli()))
                .setCreatedAt(AT)
                .setKernels(List.of())
                .setVersion(version)
                .build();
    }

    public static SessionEvent event(Session session, SessionEventKind kind, String reason) {
        return SessionEvent.newBuilder()
                .setSessionId(session.getSessionId())
                .setAt(AT)
                .setKind(kind)
                .setReason(reason)
                .setSession(session)
                .build();
    }

    /** Event {@code version} of a session of AK1 in project p, at {@code partition}-{@code offset}. */
    public static Published published(int partition, long offset, String sessionId, long version) {
        return new Published(partition, offset, event(session(sessionId, "AK1", "default", "p", version), SessionEventKind.WAITING, null));
    }
}
