package dev.berth.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.Env;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BerthMainTest {

    private static final Env NONE = new Env(Map.of());

    @Test
    @DisplayName("berth up runs one instance unless --instances or BERTH_INSTANCES says more; the option wins")
    void instances() {
        assertEquals(1, BerthMain.instances(new String[0], NONE));
        assertEquals(3, BerthMain.instances(new String[0], new Env(Map.of("BERTH_INSTANCES", "3"))));
        assertEquals(2, BerthMain.instances(new String[] {"--instances", "2"}, new Env(Map.of("BERTH_INSTANCES", "3"))));
        assertEquals(4, BerthMain.instances(new String[] {"--instances=4"}, NONE));
    }

    @Test
    @DisplayName("a count that is not 1 to 64, a missing count or another option is refused naming what is wrong")
    void badArguments() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BerthMain.instances(new String[] {"--instances", "0"}, NONE))
                .getMessage().contains("--instances must be an integer in [1, 64]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BerthMain.instances(new String[] {"--instances=two"}, NONE))
                .getMessage().contains("--instances"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BerthMain.instances(new String[] {"--instances"}, NONE))
                .getMessage().contains("needs a number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BerthMain.instances(new String[] {"--verbose"}, NONE))
                .getMessage().contains("unknown option --verbose"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BerthMain.instances(new String[0], new Env(Map.of("BERTH_INSTANCES", "65"))))
                .getMessage().contains("BERTH_INSTANCES"));
    }
}
