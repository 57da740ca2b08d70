package dev.berth.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("KernelIds: ids and names every stage derives from the session id alone")
class KernelIdsTest {

    private static final String SESSION = "9b2e4c1a-0d3f-4e5a-8b6c-7d8e9f0a1b2c";

    @Test
    @DisplayName("the same session and index give the same id, every time and in every process")
    void deterministic() {
        assertEquals(KernelIds.of(SESSION, 0), KernelIds.of(SESSION, 0));
        assertEquals(KernelIds.of(SESSION, 3), KernelIds.of(new String(SESSION.toCharArray()), 3));
        // a name-based (version 3) UUID, so the value is fixed by the input, not by this JVM
        assertEquals(3, UUID.fromString(KernelIds.of(SESSION, 0)).version());
    }

    @Test
    @DisplayName("ids are distinct per index and per session")
    void distinct() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 64; i++) {
            ids.add(KernelIds.of(SESSION, i));
            ids.add(KernelIds.of("other-session", i));
        }
        assertEquals(128, ids.size());
        assertNotEquals(KernelIds.of("a1", 1), KernelIds.of("a", 11));
    }

    @ParameterizedTest(name = "kernel {0}: role {1}, index {2}, hostname {3}")
    @CsvSource({"0, main, 1, main1", "1, sub, 1, sub1", "2, sub, 2, sub2", "9, sub, 9, sub9", "10, sub, 10, sub10"})
    @DisplayName("SES-04 the main kernel is main1, the others sub1, sub2, ... with no zero padding")
    void names(int index, String role, int clusterIdx, String hostname) {
        assertEquals(role, KernelIds.role(index));
        assertEquals(clusterIdx, KernelIds.clusterIdx(index));
        assertEquals(hostname, KernelIds.hostname(index));
    }
}
