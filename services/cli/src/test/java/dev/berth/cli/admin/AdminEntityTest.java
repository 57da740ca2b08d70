package dev.berth.cli.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.cli.Json;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AdminEntityTest {

    @Test
    @DisplayName("a list page shows the entity's columns, slots as k=v, what is unset as '-'")
    void columns() throws Exception {
        String text = AdminEntity.RESOURCE_POLICIES.table(Json.parse("""
                [{"name": "default", "totalResourceSlots": {}, "maxConcurrentSessions": 0, "maxContainersPerSession": 1,
                  "idleTimeout": null, "maxSessionLifetime": null, "defaultForUnspecified": "unlimited"},
                 {"name": "small", "totalResourceSlots": {"cpu": 2, "mem": 2147483648}, "maxConcurrentSessions": 2,
                  "maxContainersPerSession": 1, "idleTimeout": 600, "maxSessionLifetime": 86400}]""")).render();
        assertEquals("""
                NAME      SLOTS                  SESSIONS   CONTAINERS   IDLE TIMEOUT   MAX LIFETIME
                default   -                      0          1            -              -
                small     cpu=2,mem=2147483648   2          1            600            86400
                """, text);
        assertEquals("/v1/admin/scaling-groups", AdminEntity.SCALING_GROUPS.base());
    }
}
