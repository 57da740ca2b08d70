package dev.berth.api.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.api.auth.Principal;
import dev.berth.api.auth.Role;
import dev.berth.api.session.TestEvents;
import dev.berth.schema.avro.Session;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EventFilterTest {

    private static final Session MINE = TestEvents.session("s1", "AK1", "d1", "research", 1);
    private static final Session NEIGHBOURS = TestEvents.session("s2", "AK2", "d1", "research", 1);
    private static final Session OTHER_DOMAIN = TestEvents.session("s3", "AK3", "d2", "research", 1);
    private static final Session OTHER_PROJECT = TestEvents.session("s4", "AK1", "d1", "teaching", 1);
    private static final List<Session> ALL = List.of(MINE, NEIGHBOURS, OTHER_DOMAIN, OTHER_PROJECT);

    @Test
    @DisplayName("AUTH-06 a project's stream: a user's own sessions there, a domain admin's domain's, a superadmin's all")
    void project() {
        assertEquals(List.of(MINE), matching(new EventFilter.OfProject("research", caller("AK1", "d1", Role.USER))));
        assertEquals(List.of(MINE, NEIGHBOURS), matching(new EventFilter.OfProject("research", caller("AKA", "d1", Role.ADMIN))));
        assertEquals(List.of(MINE, NEIGHBOURS, OTHER_DOMAIN),
                matching(new EventFilter.OfProject("research", caller("AKS", "d0", Role.SUPERADMIN))));
        assertEquals(List.of(), matching(new EventFilter.OfProject("research", caller("AK9", "d1", Role.USER))), "none of its own");
    }

    @Test
    @DisplayName("a session's stream carries that session's events only")
    void session() {
        assertEquals(List.of(NEIGHBOURS), matching(new EventFilter.OfSession("s2")));
    }

    private static List<Session> matching(EventFilter filter) {
        return ALL.stream().filter(filter::test).toList();
    }

    private static Principal caller(String accessKey, String domain, Role role) {
        return new Principal(accessKey, "u-" + accessKey, accessKey + "@example.org", domain, role, "default", 1000);
    }
}
