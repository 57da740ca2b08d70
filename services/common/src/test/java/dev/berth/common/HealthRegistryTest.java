package dev.berth.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HealthRegistryTest {

    private final HealthRegistry registry = new HealthRegistry(Duration.ofMillis(200));

    @Test
    @DisplayName("a check whose future refuses outside completion (as Kafka's do) is still reported")
    void foreignFutureIsReported() {
        CompletableFuture<Check> kafkaLike = new CompletableFuture<>() {
            @Override
            public boolean complete(Check value) {
                throw new UnsupportedOperationException("User code should not complete futures returned from Kafka clients");
            }

            @Override
            public CompletableFuture<Check> completeOnTimeout(Check value, long timeout, java.util.concurrent.TimeUnit unit) {
                throw new UnsupportedOperationException("User code should not complete futures returned from Kafka clients");
            }
        };
        registry.register("kafka", () -> kafkaLike);
        CompletableFuture<java.util.Map<String, Check>> result = registry.runAll();
        kafkaLike.obtrudeValue(Check.up("1 broker")); // how the client itself completes it
        assertEquals(Check.up("1 broker"), result.join().get("kafka"));
    }

    @Test
    @DisplayName("a check that does not answer within the deadline counts as down")
    void slowCheckIsDown() {
        registry.register("slow", CompletableFuture::new);
        Check slow = registry.runAll().join().get("slow");
        assertFalse(slow.up());
        assertTrue(slow.detail().contains("200 ms"), slow.detail());
    }

    @Test
    @DisplayName("a blocking check runs off the caller's thread: one that hangs is down at the deadline while the others answer")
    void blockingCheckHasItsDeadline() {
        var release = new java.util.concurrent.CountDownLatch(1);
        registry.registerBlocking("hangs", () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Check.up("late");
        });
        registry.registerBlocking("answers", () -> Check.up("PING answered"));
        try {
            var checks = registry.runAll().join();
            assertFalse(checks.get("hangs").up());
            assertEquals(Check.up("PING answered"), checks.get("answers"));
        } finally {
            release.countDown();
        }
    }

    @Test
    @DisplayName("a check that fails or throws counts as down with the root cause")
    void failingCheckIsDown() {
        registry.register("failed", () -> CompletableFuture.failedFuture(new RuntimeException("outer", new java.net.ConnectException("refused"))));
        registry.register("threw", () -> {
            throw new IllegalStateException("broken");
        });
        var checks = registry.runAll().join();
        assertEquals(Check.down("ConnectException: refused"), checks.get("failed"));
        assertEquals(Check.down("IllegalStateException: broken"), checks.get("threw"));
        assertEquals(List.of("failed", "threw"), List.copyOf(checks.keySet()), "names in sorted order");
    }

    @Test
    @DisplayName("health JSON is UP only when every check is up")
    void healthJson() {
        assertEquals("{\"status\":\"UP\",\"checks\":{\"a\":{\"up\":true,\"detail\":\"ok \\\"x\\\"\"}}}",
                Json.health(java.util.Map.of("a", Check.up("ok \"x\""))));
        assertTrue(Json.health(java.util.Map.of("a", Check.up("ok"), "b", Check.down("no"))).startsWith("{\"status\":\"DOWN\""));
    }
}
