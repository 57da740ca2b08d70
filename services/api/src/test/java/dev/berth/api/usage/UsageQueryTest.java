package dev.berth.api.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.api.auth.Principal;
import dev.berth.api.auth.Role;
import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import io.vertx.core.MultiMap;
import java.time.Instant;
import java.time.YearMonth;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class UsageQueryTest {

    private static final YearMonth NOW = YearMonth.of(2026, 12);
    private static final Principal USER = principal(Role.USER, "lab");
    private static final Principal ADMIN = principal(Role.ADMIN, "lab");
    private static final Principal SUPERADMIN = principal(Role.SUPERADMIN, "default");

    @Test
    @DisplayName("USG the month's bounds are UTC month boundaries; no month means the current one")
    void month() {
        UsageQuery query = parse(USER, "month", "2026-11");
        assertEquals(Instant.parse("2026-11-01T00:00:00Z"), query.from());
        assertEquals(Instant.parse("2026-12-01T00:00:00Z"), query.to());
        assertEquals(NOW, parse(USER).month());
    }

    @Test
    @DisplayName("ERR-02 a month that is not YYYY-MM, an empty owner or two owners at once are 400s naming the parameter")
    void badInput() {
        for (String bad : new String[] {"2026-13", "11-2026", "2026/11", "nov", "1999-01"}) {
            ProblemException e = assertThrows(ProblemException.class, () -> parse(SUPERADMIN, "month", bad));
            assertEquals(ProblemKind.INVALID_API_PARAMS, e.kind());
            assertTrue(e.getMessage().contains("month"), e.getMessage());
        }
        assertTrue(assertThrows(ProblemException.class, () -> parse(SUPERADMIN, "project", " ")).getMessage().contains("project"));
        assertTrue(assertThrows(ProblemException.class, () -> parse(SUPERADMIN, "project", "p", "user", "u")).getMessage().contains("project and user"));
    }

    @Test
    @DisplayName("AUTH-06 a user sees its own usage (the default) and its sessions', never a project's, another user's or another's session")
    void user() {
        UsageQuery own = parse(USER);
        assertEquals("user", own.ownerKind());
        assertEquals("u-user", own.owner());
        assertEquals("lab", own.domainOnly());
        assertEquals("session", UsageQuery.parse(params("session", "mine"), USER, "mine"::equals, NOW).ownerKind());
        for (String[] forbidden : new String[][] {{"project", "p"}, {"user", "someone"}, {"domain", "lab"}, {"session", "theirs"}}) {
            ProblemException e = assertThrows(ProblemException.class,
                    () -> UsageQuery.parse(params(forbidden), USER, "mine"::equals, NOW));
            assertEquals(ProblemKind.INSUFFICIENT_PRIVILEGE, e.kind(), String.join("=", forbidden));
        }
    }

    @Test
    @DisplayName("AUTH-06 a domain admin reads its own domain's rows only; a superadmin reads all")
    void admins() {
        assertEquals("lab", parse(ADMIN, "project", "vision").domainOnly());
        assertEquals("lab", parse(ADMIN, "domain", "lab").domainOnly());
        assertEquals(ProblemKind.INSUFFICIENT_PRIVILEGE, assertThrows(ProblemException.class, () -> parse(ADMIN, "domain", "other")).kind());
        assertNull(parse(SUPERADMIN, "domain", "other").domainOnly());
    }

    private static UsageQuery parse(Principal caller, String... pairs) {
        return UsageQuery.parse(params(pairs), caller, id -> false, NOW);
    }

    private static MultiMap params(String... pairs) {
        MultiMap params = MultiMap.caseInsensitiveMultiMap();
        for (int i = 0; i < pairs.length; i += 2) params.add(pairs[i], pairs[i + 1]);
        return params;
    }

    private static Principal principal(Role role, String domain) {
        String name = role.stored();
        return new Principal("AK" + name, "u-" + name, name + "@example.org", domain, role, "default", 1000);
    }
}
