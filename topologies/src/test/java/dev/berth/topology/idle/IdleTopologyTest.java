package dev.berth.topology.idle;

import static dev.berth.topology.idle.IdleHarness.GIB;
import static dev.berth.topology.idle.IdleHarness.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.schema.avro.DestroySession;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionRequest;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.schema.avro.SessionType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Idle topology: each checker ends a session exactly when it should, not a second earlier")
class IdleTopologyTest {

    private static final long SECOND = 1000;
    private static final long MINUTE = 60 * SECOND;

    @TempDir
    Path stateDir;

    private static String newId() {
        return UUID.randomUUID().toString();
    }

    private static IdleSettings enabled(Checker... checkers) {
        return IdleSettings.DEFAULTS.withEnabled(EnumSet.copyOf(List.of(checkers)));
    }

    @Nested
    @DisplayName("network_timeout")
    class NetworkTimeout {

        @Test
        @DisplayName("IDL-10/AMB-12: ends a session idle for the threshold once the remaining time is below 0, with reason idle-timeout")
        void endsAfterThreshold() {
            try (var idle = new IdleHarness(stateDir, enabled(Checker.NETWORK_TIMEOUT))) {
                // given a session running from T0+5s, last used at T0+65s, and the default 10 min threshold
                String id = newId();
                idle.running(id, T0, T0 + 5 * SECOND);
                idle.act(id, T0 + 65 * SECOND);
                long deadline = T0 + 65 * SECOND + 10 * MINUTE;
                // when the wall clock reaches the deadline
                idle.clockAt(deadline);
                // then it is kept: remaining 0 is not yet idle
                assertEquals(List.of(), idle.destroyReasons());
                // when one second more passes
                idle.clockAt(deadline + SECOND);
                // then one destroy with the checker's reason
                List<SessionRequest> asked = idle.requests.readValuesToList();
                assertEquals(1, asked.size());
                DestroySession destroy = (DestroySession) asked.getFirst().getOp();
                assertEquals("idle-timeout", destroy.getReason());
                assertEquals(false, destroy.getForced());
                assertEquals(id, asked.getFirst().getSessionId());
                assertEquals(IdleHarness.ACCESS_KEY, asked.getFirst().getAccessKey());
            }
        }

        @Test
        @DisplayName("IDL-09: the start counts as an access; each user action moves the deadline")
        void activityMovesDeadline() {
            try (var idle = new IdleHarness(stateDir, enabled(Checker.NETWORK_TIMEOUT).withNetworkTimeout(Duration.ofMinutes(2)))) {
                String id = newId();
                idle.running(id, T0, T0 + 10 * SECOND);
                idle.clockAt(T0 + 10 * SECOND + 2 * MINUTE);
                idle.act(id, T0 + 10 * SECOND + 2 * MINUTE);
                idle.clockAt(T0 + 10 * SECOND + 4 * MINUTE);
                assertEquals(List.of(), idle.destroyReasons());
                idle.clockAt(T0 + 10 * SECOND + 4 * MINUTE + SECOND);
                assertEquals(List.of("idle-timeout"), idle.destroyReasons());
            }
        }

        @Test
        @DisplayName("IDL-10: the keypair policy's idle timeout wins over the threshold; 0 means never")
        void policyTimeout() {
            try (var idle = new IdleHarness(stateDir, enabled(Checker.NETWORK_TIMEOUT))) {
                idle.policy(30, 0);
                String id = newId();
                idle.running(id, T0, T0);
                idle.clockAt(T0 + 30 * SECOND);
                assertEquals(List.of(), idle.destroyReasons());
                idle.clockAt(T0 + 31 * SECOND);
                assertEquals(List.of("idle-timeout"), idle.destroyReasons());

                idle.policy(0, 0);
                String forever = newId();
                idle.running(forever, T0 + 31 * SECOND, T0 + 31 * SECOND);
                idle.clockAt(T0 + 5 * 60 * MINUTE);
                assertEquals(List.of(), idle.destroyReasons());
                assertNull(idle.sink.report(forever, Checker.NETWORK_TIMEOUT).deadline(), "an infinite timeout has no remaining time");
            }
        }

        @Test
        @DisplayName("IDL-10: batch sessions are never ended for inactivity")
        void batchKept() {
            try (var idle = new IdleHarness(stateDir, enabled(Checker.NETWORK_TIMEOUT))) {
                String id = newId();
                idle.running(id, SessionType.BATCH, 1, Map.of("cpu", 1000L), T0, T0);
                idle.clockAt(T0 + 30 * MINUTE);
                assertEquals(List.of(), idle.destroyReasons());
            }
        }

        @Test
        @DisplayName("a scaling group's idle.network_timeout.threshold overrides the installation's")
        void groupOverride() {
            try (var idle = new IdleHarness(stateDir, enabled(Checker.NETWORK_TIMEOUT))) {
                idle.group("default", Map.of("idle.network_timeout.threshold", "45s"), 1);
                String id = newId();
                idle.running(id, T0, T0);
                idle.clockAt(T0 + 45 * SECOND);
                assertEquals(List.of(), idle.destroyReasons());
                idle.clockAt(T0 + 46 * SECOND);
                assertEquals(List.of("idle-timeout"), idle.destroyReasons());
            }
        }

        @Test
        @DisplayName("a session is asked to end once, and its reports are cleared when the lifecycle ends it")
        void askedOnce() {
            try (var idle = new IdleHarness(stateDir, enabled(Checker.NETWORK_TIMEOUT).withNetworkTimeout(Duration.ofSeconds(10)))) {
                String id = newId();
                idle.running(id, T0, T0);
                idle.clockAt(T0 + 30 * SECOND);
                assertEquals(List.of("idle-timeout"), idle.destroyReasons());
                idle.clockAt(T0 + 60 * SECOND);
                assertEquals(List.of(), idle.destroyReasons());
                assertEquals(List.of(id + " network_timeout"), idle.sink.expired, "told once, for the metric");
                idle.event(id, SessionEventKind.TERMINATING, IdleHarness.session(id, SessionType.INTERACTIVE, 1, Map.of("cpu", 1000L),
                        SessionStatus.TERMINATING, T0, T0), T0 + 61 * SECOND);
                assertEquals(List.of(id), idle.sink.cleared);
                assertNull(idle.sink.latest.get(id));
            }
        }
    }

    @Nested
    @DisplayName("session_lifetime")
    class SessionLifetime {

        @Test
        @DisplayName("IDL-11: ends a session at exactly its maximum lifetime after creation, with reason idle-session-lifetime")
        void endsAtLifetime() {
            try (var idle = new IdleHarness(stateDir, IdleSettings.DEFAULTS)) {
                idle.policy(-1, 3600);
                String id = newId();
                idle.running(id, T0, T0 + 20 * SECOND);
                idle.clockAt(T0 + 3599 * SECOND);
                assertEquals(List.of(), idle.destroyReasons());
                idle.clockAt(T0 + 3600 * SECOND);
                assertEquals(List.of("idle-session-lifetime"), idle.destroyReasons());
            }
        }

        @Test
        @DisplayName("IDL-11: a lifetime of 0 is no limit")
        void zeroIsNoLimit() {
            try (var idle = new IdleHarness(stateDir, IdleSettings.DEFAULTS)) {
                idle.policy(-1, 0);
                String id = newId();
                idle.running(id, T0, T0);
                idle.clockAt(T0 + 3 * 60 * MINUTE);
                assertEquals(List.of(), idle.destroyReasons());
            }
        }

        @Test
        @DisplayName("IDL-03: when two checkers expire at the same check, the first registered gives the reason")
        void firstCheckerWins() {
            try (var idle = new IdleHarness(stateDir, enabled(Checker.NETWORK_TIMEOUT).withCheckInterval(Duration.ofSeconds(10)))) {
                idle.policy(5, 10);
                String id = newId();
                idle.running(id, T0, T0);
                // the lifetime ends at T0+10s, the network timeout at T0+5s+; the check at T0+10s sees both
                idle.driver.advanceWallClockTime(Duration.ofSeconds(10));
                assertEquals(List.of("idle-timeout"), idle.destroyReasons());
            }
        }
    }

    @Nested
    @DisplayName("new-user grace period")
    class UserGrace {

        @Test
        @DisplayName("IDL-21/IDL-06: a new user's session is not ended before the grace period is over plus the checker's time")
        void graceDelaysLifetime() {
            try (var idle = new IdleHarness(stateDir, IdleSettings.DEFAULTS.withUserGracePeriod(Duration.ofHours(1)))) {
                idle.policy(-1, 600);
                String id = newId();
                idle.running(id, T0, T0);
                long deadline = T0 + 60 * MINUTE + 600 * SECOND;
                idle.clockAt(deadline - SECOND);
                assertEquals(List.of(), idle.destroyReasons());
                idle.clockAt(deadline);
                assertEquals(List.of("idle-session-lifetime"), idle.destroyReasons());
            }
        }

        @Test
        @DisplayName("IDL-21: the grace period runs from the user's first session, not from each session")
        void graceFromFirstSession() {
            try (var idle = new IdleHarness(stateDir, IdleSettings.DEFAULTS.withUserGracePeriod(Duration.ofMinutes(30)))) {
                idle.policy(-1, 600);
                String first = newId();
                idle.running(first, T0, T0);
                // a second session created inside the grace period: per-session grace would end it at T0+60min
                String later = newId();
                long laterCreated = T0 + 20 * MINUTE;
                idle.clockAt(laterCreated);
                idle.running(later, laterCreated, laterCreated);
                // the user's grace ends at T0+30min for both, so both live until 600 s after that
                idle.clockAt(T0 + 40 * MINUTE - SECOND);
                assertEquals(List.of(), idle.destroyReasons());
                idle.clockAt(T0 + 40 * MINUTE);
                assertEquals(List.of("idle-session-lifetime", "idle-session-lifetime"), idle.destroyReasons());
            }
        }
    }

    @Nested
    @DisplayName("utilization")
    class Utilization {

        /** A 60 s window sampled every 15 s holds 4 samples; the fifth sample decides (IDL-19). */
        private IdleSettings settings(ThresholdOperator operator, Map<String, Double> thresholds) {
            return enabled(Checker.UTILIZATION).withUtilization(UtilizationSettings.DEFAULTS
                    .withTimeWindow(Duration.ofSeconds(60)).withInitialGracePeriod(Duration.ofSeconds(30))
                    .withOperator(operator).withThresholds(thresholds));
        }

        @Test
        @DisplayName("IDL-13..19: after the grace period, the sample that completes a window under the threshold ends the session with idle-utilization")
        void endsOnWindowUnderThreshold() {
            try (var idle = new IdleHarness(stateDir, settings(ThresholdOperator.AND, Map.of("cpu_util", 10.0)))) {
                String id = newId();
                idle.running(id, T0, T0);
                // stats every 5 s; samples are taken after the grace end (T0+30s) 15 s apart: 35, 50, 65, 80, 95
                for (long t = 5; t <= 90; t += 5) {
                    idle.clockAt(T0 + t * SECOND);
                    idle.sample(id, 0, T0 + t * SECOND, 2.0, GIB / 10);
                }
                assertEquals(List.of(), idle.destroyReasons(), "four samples fill the window but do not decide");
                idle.clockAt(T0 + 95 * SECOND);
                idle.sample(id, 0, T0 + 95 * SECOND, 2.0, GIB / 10);
                assertEquals(List.of("idle-utilization"), idle.destroyReasons());
            }
        }

        @Test
        @DisplayName("IDL-17: cpu_util is relative to the allocated cores: 150% of one core on two cores is 75%")
        void cpuRelativeToAllocation() {
            try (var idle = new IdleHarness(stateDir, settings(ThresholdOperator.AND, Map.of("cpu_util", 80.0)))) {
                String id = newId();
                idle.running(id, SessionType.INTERACTIVE, 1, Map.of("cpu", 2000L, "mem", GIB), T0, T0);
                for (long t = 35; t <= 95; t += 15) {
                    idle.clockAt(T0 + t * SECOND);
                    idle.sample(id, 0, T0 + t * SECOND, 150.0, GIB / 2);
                }
                assertEquals(List.of("idle-utilization"), idle.destroyReasons());
                IdleReport report = idle.sink.report(id, Checker.UTILIZATION);
                assertEquals(List.of(75.0, 80.0), report.utilization().resources().get("cpu_util"));
            }
        }

        @Test
        @DisplayName("IDL-19: with AND a session is kept while one metric reaches its threshold; with OR it is ended")
        void andOr() {
            Map<String, Double> thresholds = Map.of("cpu_util", 10.0, "mem", 20.0);
            for (ThresholdOperator operator : ThresholdOperator.values()) {
                try (var idle = new IdleHarness(stateDir.resolve(operator.name()), settings(operator, thresholds))) {
                    String id = newId();
                    idle.running(id, T0, T0);
                    for (long t = 35; t <= 95; t += 15) {
                        idle.clockAt(T0 + t * SECOND);
                        idle.sample(id, 0, T0 + t * SECOND, 50.0, GIB / 20); // cpu busy, memory at 5%
                    }
                    List<String> expected = operator == ThresholdOperator.AND ? List.of() : List.of("idle-utilization");
                    assertEquals(expected, idle.destroyReasons(), operator.name());
                }
            }
        }

        @Test
        @DisplayName("IDL-13: a policy idle timeout of 0 makes the window empty: never ended")
        void policyWindowZero() {
            try (var idle = new IdleHarness(stateDir, settings(ThresholdOperator.AND, Map.of("cpu_util", 10.0)))) {
                idle.policy(0, 0);
                String id = newId();
                idle.running(id, T0, T0);
                for (long t = 35; t <= 200; t += 15) {
                    idle.clockAt(T0 + t * SECOND);
                    idle.sample(id, 0, T0 + t * SECOND, 0.0, 0);
                }
                assertEquals(List.of(), idle.destroyReasons());
            }
        }

        @Test
        @DisplayName("excluded session types and sessions without thresholds are never ended by utilization")
        void excluded() {
            IdleSettings excluded = settings(ThresholdOperator.AND, Map.of("cpu_util", 10.0));
            excluded = excluded.withUtilization(excluded.utilization().withExcludedSessionTypes(Set.of("INFERENCE")));
            try (var idle = new IdleHarness(stateDir, excluded)) {
                String id = newId();
                idle.running(id, SessionType.INFERENCE, 1, Map.of("cpu", 1000L, "mem", GIB), T0, T0);
                for (long t = 35; t <= 200; t += 15) {
                    idle.clockAt(T0 + t * SECOND);
                    idle.sample(id, 0, T0 + t * SECOND, 0.0, 0);
                }
                assertEquals(List.of(), idle.destroyReasons());
            }
        }

        @Test
        @DisplayName("a repeated stats record (same kernel and seq) is not sampled twice")
        void repeatsIgnored() {
            try (var idle = new IdleHarness(stateDir, settings(ThresholdOperator.AND, Map.of("cpu_util", 10.0)))) {
                String id = newId();
                idle.running(id, T0, T0);
                var stats = dev.berth.schema.avro.KernelStats.newBuilder().setKernelId(dev.berth.schema.KernelIds.of(id, 0))
                        .setSessionId(id).setAgentId("a").setSeq(1).setCpuUsedMs(0).setCpuPercent(1.0).setMemBytes(0);
                // the same seq at five sample times: only the first counts
                for (long t = 35; t <= 95; t += 15) {
                    idle.clockAt(T0 + t * SECOND);
                    idle.stats.pipeInput(id, stats.setAt(java.time.Instant.ofEpochMilli(T0 + t * SECOND)).build(), T0 + t * SECOND);
                }
                assertEquals(List.of(), idle.destroyReasons());
            }
        }
    }

    @Nested
    @DisplayName("reports")
    class Reports {

        @Test
        @DisplayName("IDL-06/07: the remaining time counts down with the clock between accesses and restarts at an access")
        void countDown() {
            try (var idle = new IdleHarness(stateDir, enabled(Checker.NETWORK_TIMEOUT).withNetworkTimeout(Duration.ofMinutes(10)))) {
                idle.policy(-1, 3600);
                String id = newId();
                idle.running(id, T0, T0);
                idle.clockAt(T0 + 15 * SECOND);
                IdleReport network = idle.sink.report(id, Checker.NETWORK_TIMEOUT);
                IdleReport lifetime = idle.sink.report(id, Checker.SESSION_LIFETIME);
                assertNotNull(network);
                assertEquals(585.0, network.remainingSeconds(T0 + 15 * SECOND));
                assertEquals(3585.0, lifetime.remainingSeconds(T0 + 15 * SECOND));
                assertEquals(584.5, network.remainingSeconds(T0 + 15_500));
                idle.clockAt(T0 + 40 * SECOND);
                idle.act(id, T0 + 40 * SECOND);
                assertEquals(600.0, idle.sink.report(id, Checker.NETWORK_TIMEOUT).remainingSeconds(T0 + 40 * SECOND));
                assertEquals(-1.0, idle.sink.report(id, Checker.NETWORK_TIMEOUT).remainingSeconds(T0 + 41 * SECOND + 10 * MINUTE));
                assertEquals("expire_after", Checker.NETWORK_TIMEOUT.remainingType.wire);
            }
        }

        @Test
        @DisplayName("an unchanged report is not rewritten every check, only after the refresh interval")
        void refresh() {
            try (var idle = new IdleHarness(stateDir, IdleSettings.DEFAULTS.withReportRefresh(Duration.ofSeconds(30)))) {
                idle.policy(-1, 3600);
                String id = newId();
                idle.running(id, T0, T0);
                int afterStart = idle.sink.writes;
                idle.clockAt(T0 + 29 * SECOND);
                assertEquals(afterStart, idle.sink.writes);
                idle.clockAt(T0 + 31 * SECOND);
                assertTrue(idle.sink.writes > afterStart);
            }
        }

        @Test
        @DisplayName("IDL-15: utilization's remaining time is the grace period plus one window, as grace_period")
        void utilizationRemaining() {
            IdleSettings settings = enabled(Checker.UTILIZATION).withUtilization(UtilizationSettings.DEFAULTS.withThresholds(Map.of("cpu_util", 5.0)));
            try (var idle = new IdleHarness(stateDir, settings)) {
                String id = newId();
                idle.running(id, T0, T0);
                idle.clockAt(T0 + 60 * SECOND);
                IdleReport report = idle.sink.report(id, Checker.UTILIZATION);
                assertEquals((5 * 60 + 10 * 60 - 60) * 1.0, report.remainingSeconds(T0 + 60 * SECOND));
                assertEquals("grace_period", report.checker().remainingType.wire);
            }
        }
    }
}
