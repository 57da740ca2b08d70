package dev.berth.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BerthConfigTest {

    @Test
    @DisplayName("CFG-07 one instance named after the host unless BERTH_INSTANCES and BERTH_INSTANCE_ID say otherwise")
    void instanceSettings() {
        BerthConfig defaults = BerthConfig.from(new Env(Map.of()));
        assertEquals(1, defaults.instances());
        assertEquals(BerthConfig.hostName(), defaults.instanceId());
        BerthConfig set = BerthConfig.from(new Env(Map.of("BERTH_INSTANCES", "3", "BERTH_INSTANCE_ID", "rack2.node-7")));
        assertEquals(3, set.instances());
        assertEquals("rack2.node-7", set.instanceId());
        assertEquals("rack2.node-7", set.withBootstrap("127.0.0.1:9092").instanceId(), "a new broker keeps the node id");
    }

    @Test
    @DisplayName("a node id that would not fit a client id or an etcd value, or no instance, is refused naming the setting")
    void refused() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BerthConfig.from(new Env(Map.of("BERTH_INSTANCE_ID", "a b"))))
                .getMessage().contains("BERTH_INSTANCE_ID"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BerthConfig.from(new Env(Map.of("BERTH_INSTANCES", "0"))))
                .getMessage().contains("BERTH_INSTANCES"));
    }
}
