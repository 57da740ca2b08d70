package dev.berth.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RecoveryTest {

    private static final Instant LOG_START = Instant.parse("2026-11-20T00:00:00Z");
    private static final CommandHistory HISTORY =
            new CommandHistory(LOG_START, Set.of("created", "both"), Map.of("both", "user-requested", "destroyed", "forced"));

    @Test
    @DisplayName("a kernel with a destroy in the log is stopped with the destroy's reason, even when it was created too")
    void destroyedIsStopped() {
        assertEquals(new Recovery.Verdict.Stop("user-requested"), Recovery.verdict("both", LOG_START.plusSeconds(5), HISTORY));
        assertEquals(new Recovery.Verdict.Stop("forced"), Recovery.verdict("destroyed", LOG_START.minusSeconds(5), HISTORY));
    }

    @Test
    @DisplayName("a created kernel is kept")
    void createdIsKept() {
        assertEquals(new Recovery.Verdict.Keep(), Recovery.verdict("created", LOG_START.plusSeconds(5), HISTORY));
    }

    @Test
    @DisplayName("a kernel the log should show but does not is stopped as unknown; one older than the log is kept, its create may have expired")
    void unknownKernels() {
        assertEquals(new Recovery.Verdict.Stop(Recovery.UNKNOWN_KERNEL), Recovery.verdict("stray", LOG_START.plusSeconds(1), HISTORY));
        assertEquals(new Recovery.Verdict.Keep(), Recovery.verdict("stray", LOG_START.minusSeconds(1), HISTORY));
        CommandHistory expired = new CommandHistory(Instant.MAX, Set.of(), Map.of());
        assertEquals(new Recovery.Verdict.Keep(), Recovery.verdict("stray", Instant.now(), expired));
    }
}
