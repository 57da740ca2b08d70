package dev.berth.api.compat;

import dev.berth.api.auth.Principal;
import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.api.session.RequestValidation;
import dev.berth.schema.avro.Session;
import java.util.function.Function;

/**
 * The original's {@code GET /events/session} query (API-25): {@code sessionName} (alias
 * {@code name}, '*' for all), {@code sessionId} (wins over the name), {@code ownerAccessKey} (the
 * caller's by default; a user may name only its own), {@code group} (a project, '*' for all) and
 * {@code scope} (alias {@code sessionEventScope}). A name need not exist yet: a client may watch
 * a session it is about to create.
 */
record EventParams(String sessionName, String sessionId, String ownerAccessKey, String group, OriginalEvents.Scope scope) {

    static EventParams of(Function<String, String> query, Principal caller) {
        String name = first(query, "sessionName", "name");
        String sessionId = query.apply("sessionId");
        String owner = query.apply("ownerAccessKey");
        String group = query.apply("group");
        String rawScope = first(query, "scope", "sessionEventScope");
        OriginalEvents.Scope scope = OriginalEvents.Scope.of(rawScope);
        if (scope == null) throw ProblemException.invalid("scope must be one of *, session, kernel, session,kernel; got \"" + rawScope + "\"");
        if (owner == null || owner.isBlank()) owner = caller.accessKey();
        else if (!caller.role().isAdmin() && !owner.equals(caller.accessKey())) {
            throw new ProblemException(ProblemKind.GENERIC_FORBIDDEN, "ownerAccessKey: a user may watch only its own sessions");
        }
        String id = null;
        if (sessionId != null && !sessionId.isBlank()) {
            try {
                id = RequestValidation.sessionId(sessionId.trim());
            } catch (ProblemException e) {
                throw ProblemException.invalid("sessionId: " + e.detail());
            }
        }
        return new EventParams(all(name), id, owner, all(group), scope);
    }

    boolean test(Session session) {
        if (!session.getAccessKey().equals(ownerAccessKey)) return false;
        if (group != null && !group.equals(session.getSpec().getProject())) return false;
        if (sessionId != null) return sessionId.equals(session.getSessionId());
        return sessionName == null || sessionName.equals(session.getSpec().getName());
    }

    private static String first(Function<String, String> query, String key, String alias) {
        String value = query.apply(key);
        return value != null ? value : query.apply(alias);
    }

    /** '*' and nothing mean every one. */
    private static String all(String value) {
        return value == null || value.isBlank() || value.trim().equals("*") ? null : value.trim();
    }
}
