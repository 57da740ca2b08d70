package dev.berth.api.events;

import dev.berth.api.auth.Access;
import dev.berth.api.auth.Principal;
import dev.berth.schema.avro.Session;
import java.util.function.Predicate;

/** Which events a stream carries, decided on the session as the event shows it. */
sealed interface EventFilter {

    boolean test(Session session);

    /** One session's events; that the caller may see it was checked when the stream opened. */
    record OfSession(String sessionId) implements EventFilter {
        @Override
        public boolean test(Session session) {
            return sessionId.equals(session.getSessionId());
        }
    }

    /** Whatever another front asks for, decided by its own predicate (the original API's filters). */
    record Where(Predicate<Session> test) implements EventFilter {
        @Override
        public boolean test(Session session) {
            return test.test(session);
        }
    }

    /**
     * A project's sessions the caller may act on (AUTH-06): a user's own, a domain admin's domain's,
     * a superadmin's all; naming a project is no membership check, as nothing outside these shows.
     */
    record OfProject(String project, Principal caller) implements EventFilter {
        @Override
        public boolean test(Session session) {
            return project.equals(session.getSpec().getProject()) && Access.canActOn(caller, session);
        }
    }
}
