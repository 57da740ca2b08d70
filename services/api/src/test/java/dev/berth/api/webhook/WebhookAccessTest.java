package dev.berth.api.webhook;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.api.auth.Access;
import dev.berth.api.auth.Principal;
import dev.berth.api.auth.Role;
import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WebhookAccessTest {

    private static Principal caller(Role role, String domain) {
        return new Principal("AK" + role, "u-" + role, role + "@example.org", domain, role, "default", 100);
    }

    @Test
    @DisplayName("HOOK a user subscribes to its own sessions only, not even to a project it is in: it could not read the others' sessions")
    void user() {
        Principal user = caller(Role.USER, "default");
        assertDoesNotThrow(() -> Access.requireMayWatch(user, "default", true));
        var refused = assertThrows(ProblemException.class, () -> Access.requireMayWatch(user, "default", false));
        assertEquals(ProblemKind.INSUFFICIENT_PRIVILEGE, refused.kind());
        assertThrows(ProblemException.class, () -> Access.requireMayWatch(caller(Role.MONITOR, "default"), "default", false));
    }

    @Test
    @DisplayName("HOOK a domain admin subscribes to any project or user of its domain, a superadmin to anything")
    void admins() {
        assertDoesNotThrow(() -> Access.requireMayWatch(caller(Role.ADMIN, "research"), "research", false));
        assertThrows(ProblemException.class, () -> Access.requireMayWatch(caller(Role.ADMIN, "research"), "default", false));
        assertDoesNotThrow(() -> Access.requireMayWatch(caller(Role.ADMIN, "research"), "default", true));
        assertDoesNotThrow(() -> Access.requireMayWatch(caller(Role.SUPERADMIN, "default"), "research", false));
    }

    @Test
    @DisplayName("HOOK only a failed delivery of a live subscription, or of a callback, is sent again; another's is not found")
    void redelivery() {
        UUID id = UUID.randomUUID();
        assertEquals(ProblemKind.OBJECT_NOT_FOUND, WebhookRoutes.refusal(id, Optional.empty()).orElseThrow().kind());
        assertEquals(ProblemKind.GENERIC_FORBIDDEN,
                WebhookRoutes.refusal(id, Optional.of(new WebhookStore.DeliveryState("pending", true))).orElseThrow().kind());
        assertEquals(ProblemKind.GENERIC_FORBIDDEN,
                WebhookRoutes.refusal(id, Optional.of(new WebhookStore.DeliveryState("delivered", null))).orElseThrow().kind());
        assertEquals(ProblemKind.GENERIC_FORBIDDEN,
                WebhookRoutes.refusal(id, Optional.of(new WebhookStore.DeliveryState("failed", false))).orElseThrow().kind());
        assertEquals(Optional.empty(), WebhookRoutes.refusal(id, Optional.of(new WebhookStore.DeliveryState("failed", true))));
        assertEquals(Optional.empty(), WebhookRoutes.refusal(id, Optional.of(new WebhookStore.DeliveryState("failed", null))));
    }
}
