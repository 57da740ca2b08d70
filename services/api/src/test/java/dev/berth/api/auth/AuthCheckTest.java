package dev.berth.api.auth;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AuthCheckTest {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    /** Loading BerthSerdes makes Avro trust Berth's generated classes. */
    private static final Object AVRO_TRUST = BerthSerdes.KEY;

    @Test
    @DisplayName("AUTH-04 the Authorization header parses into method, access key and signature; malformed ones are invalid-auth-params")
    void header() {
        AuthHeader parsed = AuthHeader.parse("BackendAI signMethod=HMAC-SHA256, credential=AKIA1:abc123");
        assertEquals(new AuthHeader("HMAC-SHA256", "AKIA1", "abc123"), parsed);
        assertEquals("AKIA2", AuthHeader.parse("Sorna credential=AKIA2:ff, signMethod=HMAC-SHA256").accessKey());
        for (String bad : List.of("Bearer xyz", "BackendAI", "BackendAI signMethod=HMAC-SHA256", "BackendAI signMethod=HMAC-SHA256, credential=AKIA",
                "BackendAI signMethod=HMAC-SHA256, credential=:sig", "BackendAI signMethod=HMAC-SHA256, credential=AK:")) {
            ProblemException problem = assertThrows(ProblemException.class, () -> AuthHeader.parse(bad), bad);
            assertEquals(ProblemKind.INVALID_AUTH_PARAMS, problem.kind(), bad);
        }
    }

    @Test
    @DisplayName("AUTH-04 dates in ISO-8601 with any offset or RFC 1123; ±15 min window inclusive")
    void dates() {
        assertEquals(NOW, RequestDates.parse("2026-11-25T12:00:00Z"));
        assertEquals(NOW, RequestDates.parse("2026-11-25T21:00:00+09:00"));
        assertEquals(NOW, RequestDates.parse("Wed, 25 Nov 2026 12:00:00 GMT"));
        assertEquals(ProblemKind.INVALID_AUTH_PARAMS, assertThrows(ProblemException.class, () -> RequestDates.parse("yesterday")).kind());

        assertDoesNotThrow(() -> RequestDates.requireWithinWindow(NOW.minus(Duration.ofMinutes(15)), NOW));
        assertDoesNotThrow(() -> RequestDates.requireWithinWindow(NOW.plus(Duration.ofMinutes(15)), NOW));
        assertEquals(ProblemKind.AUTH_FAILED, assertThrows(ProblemException.class,
                () -> RequestDates.requireWithinWindow(NOW.minus(Duration.ofMinutes(15)).minusSeconds(1), NOW)).kind());
        assertEquals(ProblemKind.AUTH_FAILED, assertThrows(ProblemException.class,
                () -> RequestDates.requireWithinWindow(NOW.plus(Duration.ofMinutes(16)), NOW)).kind());
    }

    @Test
    @DisplayName("AUTH-02 versions from v4.20181215 on are accepted; older ones sign the body and are refused")
    void versions() {
        assertDoesNotThrow(() -> RequestDates.requireSupportedVersion("v4.20181215"));
        assertDoesNotThrow(() -> RequestDates.requireSupportedVersion("v8.20261101"));
        for (String bad : new String[] {null, "", "4.20181215", "v4.20181214", "v3.20991231", "v8.2026"}) {
            assertEquals(ProblemKind.INVALID_AUTH_PARAMS, assertThrows(ProblemException.class, () -> RequestDates.requireSupportedVersion(bad)).kind(), bad);
        }
    }

    @Test
    @DisplayName("AUTH-06 users act on their own sessions, domain admins on their domain's, superadmins on all")
    void sessionAccess() {
        Session alices = session("AK-ALICE", "u-alice", "d1");
        Principal alice = principal("AK-ALICE", "u-alice", "d1", Role.USER);
        Principal aliceOtherKey = principal("AK-ALICE-2", "u-alice", "d1", Role.USER);
        Principal bob = principal("AK-BOB", "u-bob", "d1", Role.USER);
        Principal d1Admin = principal("AK-D1", "u-d1", "d1", Role.ADMIN);
        Principal d2Admin = principal("AK-D2", "u-d2", "d2", Role.ADMIN);
        Principal root = principal("AK-ROOT", "u-root", "d2", Role.SUPERADMIN);

        assertTrue(Access.canActOn(alice, alices));
        assertTrue(Access.canActOn(aliceOtherKey, alices), "another keypair of the same user");
        assertFalse(Access.canActOn(bob, alices));
        assertTrue(Access.canActOn(d1Admin, alices));
        assertFalse(Access.canActOn(d2Admin, alices));
        assertTrue(Access.canActOn(root, alices));
    }

    @Test
    @DisplayName("API-10 acting for another keypair: superadmin anyone, domain admin its domain but no superadmin, users nobody")
    void actingFor() {
        Principal alice = principal("AK-ALICE", "u-alice", "d1", Role.USER);
        Principal root = principal("AK-ROOT", "u-root", "d1", Role.SUPERADMIN);
        Principal d1Admin = principal("AK-D1", "u-d1", "d1", Role.ADMIN);
        Principal d2Admin = principal("AK-D2", "u-d2", "d2", Role.ADMIN);

        assertDoesNotThrow(() -> Access.requireMayActFor(root, alice));
        assertDoesNotThrow(() -> Access.requireMayActFor(d1Admin, alice));
        assertDoesNotThrow(() -> Access.requireMayActFor(alice, alice));
        for (Principal[] pair : new Principal[][] {{d2Admin, alice}, {d1Admin, root}, {alice, d1Admin}}) {
            assertEquals(ProblemKind.GENERIC_FORBIDDEN, assertThrows(ProblemException.class,
                    () -> Access.requireMayActFor(pair[0], pair[1])).kind());
        }
    }

    private static Principal principal(String accessKey, String userId, String domain, Role role) {
        return new Principal(accessKey, userId, userId + "@example.org", domain, role, "default", 100);
    }

    private static Session session(String accessKey, String userId, String domain) {
        return Session.newBuilder()
                .setSessionId("s-1")
                .setAccessKey(accessKey)
                .setSpec(SessionSpec.newBuilder().setName("s-one").setImage("x").setResources(Map.of()).setUserId(userId).setDomain(domain).build())
                .setStatus(SessionStatus.RUNNING)
                .setStatusHistory(Map.of())
                .setCreatedAt(NOW)
                .setKernels(List.of())
                .setVersion(1)
                .build();
    }
}
