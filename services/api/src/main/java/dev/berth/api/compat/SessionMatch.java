package dev.berth.api.compat;

import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * API-23: which of an owner's sessions the original's {@code /session/{name}} means. Stages in
 * order, the first that matches anything decides: the exact id; the exact name (the live session,
 * else the newest dead one, so a finished session stays readable); an id prefix; a name prefix.
 * Within a prefix stage live sessions are taken before dead ones. One match is the session; more
 * are too-many-sessions-matched, listing them (ERR-03); none is session-not-found.
 */
final class SessionMatch {

    /** As many matches as the original lists in its problem. */
    static final int LISTED = 10;
    private static final Comparator<Session> NEWEST_FIRST = Comparator.comparing(Session::getCreatedAt).reversed()
            .thenComparing(Session::getSessionId);

    private SessionMatch() {}

    /** The sessions of {@code candidates} that {@code nameOrId} matches: one, several or none. */
    static List<Session> matches(String nameOrId, List<Session> candidates) {
        String lower = nameOrId.toLowerCase(Locale.ROOT);
        List<Session> exactId = candidates.stream().filter(session -> session.getSessionId().equals(lower)).toList();
        if (!exactId.isEmpty()) return exactId;
        List<Session> exactName = candidates.stream().filter(session -> session.getSpec().getName().equals(nameOrId)).toList();
        if (!exactName.isEmpty()) {
            List<Session> live = exactName.stream().filter(SessionMatch::live).toList();
            return live.isEmpty() ? List.of(exactName.stream().sorted(NEWEST_FIRST).findFirst().orElseThrow()) : live;
        }
        List<Session> byId = liveFirst(candidates, session -> session.getSessionId().startsWith(lower));
        if (!byId.isEmpty()) return byId;
        return liveFirst(candidates, session -> session.getSpec().getName().startsWith(nameOrId));
    }

    /** The one session {@code nameOrId} means, or the original's problem. */
    static Session one(String nameOrId, List<Session> candidates) {
        List<Session> found = matches(nameOrId, candidates);
        if (found.size() == 1) return found.getFirst();
        if (found.isEmpty()) throw new ProblemException(ProblemKind.SESSION_NOT_FOUND, "no session named or with an id starting with \"" + nameOrId + "\"");
        throw new ProblemException(ProblemKind.TOO_MANY_SESSIONS_MATCHED, found.size() + " sessions match \"" + nameOrId
                + "\" and none exactly: give more of the id or the whole name", null, new JsonObject().put("matches", listed(found)));
    }

    /** The original's {@code {id, name, status, created_at}} of the newest matches. */
    static JsonArray listed(List<Session> found) {
        return new JsonArray(found.stream().sorted(NEWEST_FIRST).limit(LISTED).map(session -> new JsonObject()
                .put("id", session.getSessionId())
                .put("name", session.getSpec().getName())
                .put("status", session.getStatus().name())
                .put("created_at", session.getCreatedAt().toString())).toList());
    }

    private static List<Session> liveFirst(List<Session> candidates, Predicate<Session> matching) {
        List<Session> all = candidates.stream().filter(matching).toList();
        List<Session> live = all.stream().filter(SessionMatch::live).toList();
        return live.isEmpty() ? all : live;
    }

    static boolean live(Session session) {
        return session.getStatus() != SessionStatus.TERMINATED && session.getStatus() != SessionStatus.CANCELLED;
    }
}
