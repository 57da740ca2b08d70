package dev.berth.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DeliveryKeysTest {

    private static final String SESSION = "3f1c2a9e-5b7d-4c1e-9a0b-2d4e6f8a1c3e";

    @Test
    @DisplayName("HOOK an idempotency key is the same for the same receiver, session, version and event: a replay finds its row")
    void stable() {
        assertEquals(DeliveryKeys.delivery("subscription:a", SESSION, 3, "started"), DeliveryKeys.delivery("subscription:a", SESSION, 3, "started"));
        assertEquals(DeliveryKeys.event(SESSION, 3, "started"), DeliveryKeys.event(SESSION, 3, "started"));
    }

    @Test
    @DisplayName("HOOK a key differs in each of its parts; the event id is the same for every receiver")
    void distinct() {
        Set<UUID> keys = Set.of(
                DeliveryKeys.delivery("subscription:a", SESSION, 3, "started"),
                DeliveryKeys.delivery("subscription:b", SESSION, 3, "started"),
                DeliveryKeys.delivery("callback:http://h/x", SESSION, 3, "started"),
                DeliveryKeys.delivery("subscription:a", UUID.randomUUID().toString(), 3, "started"),
                DeliveryKeys.delivery("subscription:a", SESSION, 4, "started"),
                DeliveryKeys.delivery("subscription:a", SESSION, 3, "terminated"));
        assertEquals(6, keys.size());
        assertNotEquals(DeliveryKeys.event(SESSION, 3, "terminated"), DeliveryKeys.event(SESSION, 3, "success"));
    }

    @Test
    @DisplayName("keys are version 8 (name-based, SHA-256) UUIDs of the RFC 9562 variant")
    void shape() {
        UUID key = DeliveryKeys.delivery("subscription:a", SESSION, 3, "started");
        assertEquals(8, key.version());
        assertEquals(2, key.variant());
    }
}
