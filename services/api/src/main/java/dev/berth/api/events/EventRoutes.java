package dev.berth.api.events;

import dev.berth.api.auth.Access;
import dev.berth.api.auth.Principal;
import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.api.session.SessionView;
import dev.berth.schema.avro.Session;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code GET /v1/events/sessions}: the lifecycle events of one session ({@code ?sessionId=}) or of
 * the sessions of a project the caller may act on ({@code ?project=}), as server-sent events, from
 * now or right after an event ({@code Last-Event-ID} or {@code ?after=}); see docs/events.md.
 *
 * <p>Live events come from the view's {@link dev.berth.api.session.EventFanOut}; a resume is
 * replayed from the events it keeps or, older than those, from Kafka ({@link KafkaReplay}). An
 * event's id is its stream's position on every partition ({@link EventId}), and the {@link Cursor}
 * drops what a client has had, so replay and live meet without a gap or a duplicate.
 */
public final class EventRoutes {

    private static final String LAST_EVENT_ID = "Last-Event-ID";

    private final SessionView view;
    private final KafkaReplay kafka;
    private final Duration heartbeat;
    private final int buffer;

    /**
     * @param heartbeat time between two keep-alive comments
     * @param buffer    frames a stream holds for its client before it is closed
     */
    public EventRoutes(SessionView view, KafkaReplay kafka, Duration heartbeat, int buffer) {
        this.view = view;
        this.kafka = kafka;
        this.heartbeat = heartbeat;
        this.buffer = buffer;
    }

    public void sessions(RoutingContext ctx) {
        Principal caller = Principal.of(ctx);
        EventQuery query = EventQuery.of(ctx.queryParams().get("sessionId"), ctx.queryParams().get("project"),
                ctx.queryParams().get("after"), ctx.request().getHeader(LAST_EVENT_ID));
        // "from now" is from what the view has read: before it caught up, that would be the past
        if (!view.health().up()) {
            throw new ProblemException(ProblemKind.SERVICE_UNAVAILABLE, "the session view is still reading session.events");
        }
        EventFilter filter = query.sessionId() == null ? new EventFilter.OfProject(query.project(), caller)
                : new EventFilter.OfSession(visible(caller, query.sessionId()).getSessionId());
        new EventStream(ctx, view.events(), filter, buffer, SseFrames::event).open(query.after(), kafka, heartbeat);
    }

    /**
     * For another front (the original API's {@code /events/session}): the events whose session
     * {@code sessions} lets through, each written by {@code format}, from now or right after the
     * request's {@code Last-Event-ID}; replay, heartbeats and back pressure as for {@link #sessions}.
     */
    public void stream(RoutingContext ctx, Predicate<Session> sessions, FrameFormat format) {
        String lastEventId = ctx.request().getHeader(LAST_EVENT_ID);
        Map<Integer, Long> after = null;
        if (lastEventId != null && !lastEventId.isBlank()) {
            try {
                after = EventId.parse(lastEventId);
            } catch (IllegalArgumentException e) {
                throw ProblemException.invalid(LAST_EVENT_ID + " " + e.getMessage());
            }
        }
        if (!view.health().up()) {
            throw new ProblemException(ProblemKind.SERVICE_UNAVAILABLE, "the session view is still reading session.events");
        }
        new EventStream(ctx, view.events(), new EventFilter.Where(sessions), buffer, format)
                .open(after, kafka, heartbeat);
    }

    /** As for the session itself: another owner's session is as unknown as a missing one (AUTH-06). */
    private Session visible(Principal caller, String sessionId) {
        return view.get(sessionId).filter(session -> Access.canActOn(caller, session)).orElseThrow(() ->
                new ProblemException(ProblemKind.SESSION_NOT_FOUND, "no session with id " + sessionId));
    }
}
