package dev.berth.api.events;

import dev.berth.api.problem.ProblemException;
import dev.berth.api.session.RequestValidation;
import java.util.Map;

/**
 * What a stream asks for: exactly one of a session and a project, from now ({@code after} null) or
 * right after an event id. {@code Last-Event-ID} wins over {@code ?after=}: a browser reconnecting
 * sends the URL it first opened and the id of the last event it got.
 */
record EventQuery(String sessionId, String project, Map<Integer, Long> after) {

    static EventQuery of(String sessionId, String project, String after, String lastEventId) {
        if ((sessionId == null) == (project == null)) {
            throw ProblemException.invalid("give exactly one of the parameters sessionId and project");
        }
        if (project != null && project.isBlank()) throw ProblemException.invalid("project must not be empty");
        boolean header = lastEventId != null && !lastEventId.isBlank();
        String position = header ? lastEventId : after;
        return new EventQuery(sessionId == null ? null : session(sessionId), project,
                position == null ? null : position(header ? "Last-Event-ID" : "after", position));
    }

    private static String session(String raw) {
        try {
            return RequestValidation.sessionId(raw);
        } catch (ProblemException e) {
            throw ProblemException.invalid("sessionId: " + e.detail());
        }
    }

    private static Map<Integer, Long> position(String name, String text) {
        try {
            return EventId.parse(text);
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalid(name + " " + e.getMessage());
        }
    }
}
