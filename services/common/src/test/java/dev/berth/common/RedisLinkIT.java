package dev.berth.common;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Against the Redis that infra/servers.sh starts (BERTH_REDIS_PORT, default 16379). */
class RedisLinkIT {

    private static final int PORT = Integer.parseInt(System.getenv().getOrDefault("BERTH_REDIS_PORT", "16379"));

    @Test
    @DisplayName("the link's health check is up when Redis answers PING")
    void upWhenRedisAnswers() {
        try (RedisLink link = new RedisLink("127.0.0.1", PORT)) {
            Check check = link.check();
            assertTrue(check.up(), check.detail());
        }
    }

    @Test
    @DisplayName("the link's health check is down, naming the address, when nothing listens there")
    void downWhenNothingListens() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        try (RedisLink link = new RedisLink("127.0.0.1", closed)) {
            Check check = link.check();
            assertFalse(check.up());
            assertTrue(check.detail().contains("127.0.0.1:" + closed), check.detail());
        }
    }
}
