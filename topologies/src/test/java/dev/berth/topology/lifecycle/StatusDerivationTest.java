package dev.berth.topology.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.schema.avro.KernelInfo;
import dev.berth.schema.avro.KernelStatus;
import dev.berth.schema.avro.SessionStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("StatusDerivation: a session's status from its kernels (SES-16)")
class StatusDerivationTest {

    /** SES-16's mapping of the main kernel's status, copied from the SPEC. */
    private static final Map<KernelStatus, SessionStatus> SES_16 = Map.ofEntries(
            Map.entry(KernelStatus.PENDING, SessionStatus.PENDING),
            Map.entry(KernelStatus.SCHEDULED, SessionStatus.SCHEDULED),
            Map.entry(KernelStatus.PREPARING, SessionStatus.PREPARING),
            Map.entry(KernelStatus.BUILDING, SessionStatus.PREPARING),
            Map.entry(KernelStatus.PULLING, SessionStatus.PULLING),
            Map.entry(KernelStatus.RUNNING, SessionStatus.RUNNING),
            Map.entry(KernelStatus.RESIZING, SessionStatus.RUNNING),
            Map.entry(KernelStatus.RESTARTING, SessionStatus.RESTARTING),
            Map.entry(KernelStatus.SUSPENDED, SessionStatus.ERROR),
            Map.entry(KernelStatus.TERMINATING, SessionStatus.TERMINATING),
            Map.entry(KernelStatus.TERMINATED, SessionStatus.TERMINATED),
            Map.entry(KernelStatus.ERROR, SessionStatus.ERROR),
            Map.entry(KernelStatus.CANCELLED, SessionStatus.CANCELLED));

    @ParameterizedTest(name = "main {0}")
    @EnumSource(KernelStatus.class)
    @DisplayName("SES-16 a single-kernel session takes the mapped status of its main kernel")
    void mainKernelAlone(KernelStatus status) {
        // given
        List<KernelInfo> kernels = List.of(main(status));
        // when
        SessionStatus derived = StatusDerivation.derive(kernels);
        // then
        assertEquals(SES_16.get(status), derived);
    }

    @ParameterizedTest(name = "main {0}")
    @EnumSource(KernelStatus.class)
    @DisplayName("SES-16 siblings in the main kernel's own status change nothing")
    void siblingsAlike(KernelStatus status) {
        assertEquals(SES_16.get(status), StatusDerivation.derive(List.of(main(status), sub(1, status), sub(2, status))));
    }

    @Test
    @DisplayName("SES-16 RUNNING main with a PULLING sibling → PULLING")
    void runningWithPulling() {
        assertEquals(SessionStatus.PULLING,
                StatusDerivation.derive(List.of(main(KernelStatus.RUNNING), sub(1, KernelStatus.RUNNING), sub(2, KernelStatus.PULLING))));
    }

    @Test
    @DisplayName("SES-16 RUNNING main with a PREPARING sibling → PREPARING")
    void runningWithPreparing() {
        assertEquals(SessionStatus.PREPARING,
                StatusDerivation.derive(List.of(main(KernelStatus.RUNNING), sub(1, KernelStatus.PREPARING))));
    }

    @Test
    @DisplayName("SES-16 RUNNING main with both a PREPARING and a PULLING sibling → PULLING (checked first)")
    void pullingBeforePreparing() {
        assertEquals(SessionStatus.PULLING,
                StatusDerivation.derive(List.of(main(KernelStatus.RUNNING), sub(1, KernelStatus.PREPARING), sub(2, KernelStatus.PULLING))));
    }

    @Test
    @DisplayName("AMB-02 RUNNING main with a TERMINATING or ERROR sibling stays RUNNING (no RUNNING_DEGRADED)")
    void noDegraded() {
        assertEquals(SessionStatus.RUNNING,
                StatusDerivation.derive(List.of(main(KernelStatus.RUNNING), sub(1, KernelStatus.TERMINATING), sub(2, KernelStatus.ERROR))));
    }

    @Test
    @DisplayName("SES-16 TERMINATED main with a TERMINATING sibling → TERMINATING")
    void terminatedWithTerminating() {
        assertEquals(SessionStatus.TERMINATING,
                StatusDerivation.derive(List.of(main(KernelStatus.TERMINATED), sub(1, KernelStatus.TERMINATED), sub(2, KernelStatus.TERMINATING))));
    }

    @Test
    @DisplayName("SES-16 TERMINATED main with an ERROR sibling → ERROR")
    void terminatedWithError() {
        assertEquals(SessionStatus.ERROR,
                StatusDerivation.derive(List.of(main(KernelStatus.TERMINATED), sub(1, KernelStatus.ERROR))));
    }

    @Test
    @DisplayName("SES-16 TERMINATED main with TERMINATING and ERROR siblings → TERMINATING (checked first)")
    void terminatingBeforeError() {
        assertEquals(SessionStatus.TERMINATING,
                StatusDerivation.derive(List.of(main(KernelStatus.TERMINATED), sub(1, KernelStatus.ERROR), sub(2, KernelStatus.TERMINATING))));
    }

    @Test
    @DisplayName("SES-16 any other candidate is returned at once: PREPARING main with a PULLING sibling → PREPARING")
    void otherCandidatesIgnoreSiblings() {
        assertEquals(SessionStatus.PREPARING,
                StatusDerivation.derive(List.of(main(KernelStatus.PREPARING), sub(1, KernelStatus.PULLING))));
        assertEquals(SessionStatus.TERMINATING,
                StatusDerivation.derive(List.of(main(KernelStatus.TERMINATING), sub(1, KernelStatus.RUNNING))));
    }

    @Test
    @DisplayName("SES-05 the main kernel is found by its role, wherever it is in the list")
    void mainByRole() {
        assertEquals(SessionStatus.TERMINATING,
                StatusDerivation.derive(List.of(sub(1, KernelStatus.TERMINATING), main(KernelStatus.TERMINATED))));
    }

    @Test
    @DisplayName("SES-05 SES-16 no main kernel → MainKernelNotFound")
    void noMain() {
        // given
        List<KernelInfo> kernels = List.of(sub(1, KernelStatus.RUNNING), sub(2, KernelStatus.RUNNING));
        // when
        var e = assertThrows(IllegalStateException.class, () -> StatusDerivation.derive(kernels));
        // then
        assertTrue(e.getMessage().contains("MainKernelNotFound"), e.getMessage());
    }

    private static KernelInfo main(KernelStatus status) {
        return kernel("main", 1, status);
    }

    private static KernelInfo sub(int idx, KernelStatus status) {
        return kernel("sub", idx, status);
    }

    private static KernelInfo kernel(String role, int idx, KernelStatus status) {
        return KernelInfo.newBuilder()
                .setKernelId(role + "-" + idx)
                .setClusterRole(role)
                .setClusterIdx(idx)
                .setClusterHostname(role + idx)
                .setStatus(status)
                .build();
    }
}
