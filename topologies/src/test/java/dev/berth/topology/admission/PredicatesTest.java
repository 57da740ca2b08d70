package dev.berth.topology.admission;

import static dev.berth.topology.admission.PolicyFixtures.GIB;
import static dev.berth.topology.admission.PolicyFixtures.candidate;
import static dev.berth.topology.admission.PolicyFixtures.group;
import static dev.berth.topology.admission.PolicyFixtures.limits;
import static dev.berth.topology.admission.PolicyFixtures.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.schema.avro.KernelRole;
import dev.berth.schema.avro.LimitScope;
import dev.berth.schema.avro.PredicateFailure;
import dev.berth.schema.avro.SessionAdmitted;
import dev.berth.schema.avro.SessionType;
import dev.berth.schema.avro.UnspecifiedSlots;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Predicates: admission's checks as a pure function (SCH-05..10)")
class PredicatesTest {

    private static final long NOW = 1_000_000;
    private static final Function<String, DependencyState> NO_DEPENDENCIES = id -> DependencyState.UNKNOWN;

    private final PolicyFixtures.MapPolicies policies = new PolicyFixtures.MapPolicies();
    private final Ledger ledger = new Ledger();

    private Verdict check(SessionAdmitted session) {
        return Predicates.check(session, ledger, policies, NO_DEPENDENCIES, NOW);
    }

    private static List<String> failedNames(Verdict verdict) {
        return verdict.failed().stream().map(PredicateFailure::getName).toList();
    }

    @Test
    @DisplayName("SCH-05 without policies every predicate passes, in the order of SCH-05, then the group's session types")
    void allPassInOrder() {
        Verdict verdict = check(candidate("s1", "AK1", spec(1000, GIB).build(), NOW));
        assertTrue(verdict.admitted());
        assertEquals(List.of(Predicates.RESERVED_TIME, Predicates.DEPENDENCIES, Predicates.CONCURRENCY, Predicates.KEYPAIR_LIMIT,
                Predicates.USER_LIMIT, Predicates.PROJECT_LIMIT, Predicates.DOMAIN_LIMIT, Predicates.SESSION_TYPES,
                Predicates.KEYPAIR_ACTIVE), verdict.passed());
    }

    @Test
    @DisplayName("a deactivated keypair's pending session waits, and passes once the keypair is active again")
    void inactiveKeypairWaits() {
        policies.inactiveKeypairs.add("AK1");
        SessionAdmitted session = candidate("s1", "AK1", spec(1000, GIB).build(), NOW);
        Verdict verdict = check(session);
        assertEquals(List.of(Predicates.KEYPAIR_ACTIVE), failedNames(verdict));
        assertNull(verdict.cancelReason());
        assertTrue(check(candidate("s2", "AK2", spec(1000, GIB).build(), NOW)).admitted(), "other keypairs are not held");

        policies.inactiveKeypairs.clear();
        assertTrue(check(session).admitted());
    }

    @Nested
    @DisplayName("concurrency (SCH-08)")
    class Concurrency {
        @Test
        @DisplayName("a keypair at its max_concurrent_sessions waits; one below passes; 0 is unlimited")
        void limit() {
            policies.limits.put("keypair-policy:default", limits(LimitScope.KEYPAIR_POLICY, "default", Map.of(), UnspecifiedSlots.UNLIMITED, 2));
            ledger.reserve(candidate("a", "AK1", spec(1000, GIB).build(), NOW));
            assertTrue(check(candidate("s1", "AK1", spec(1000, GIB).build(), NOW)).admitted(), "1 of 2 running");
            ledger.reserve(candidate("b", "AK1", spec(1000, GIB).build(), NOW));
            Verdict verdict = check(candidate("s1", "AK1", spec(1000, GIB).build(), NOW));
            assertEquals(List.of(Predicates.CONCURRENCY), failedNames(verdict));
            assertEquals("You cannot run more than 2 concurrent sessions", verdict.failed().get(0).getMsg());
            assertNull(verdict.cancelReason(), "waiting can help: the session stays pending");
            assertTrue(check(candidate("s2", "AK2", spec(1000, GIB).build(), NOW)).admitted(), "other keypairs are not counted");

            policies.limits.put("keypair-policy:default", limits(LimitScope.KEYPAIR_POLICY, "default", Map.of(), UnspecifiedSlots.UNLIMITED, 0));
            assertTrue(check(candidate("s1", "AK1", spec(1000, GIB).build(), NOW)).admitted());
        }

        @Test
        @DisplayName("the keypair's named policy applies, not the default one")
        void namedPolicy() {
            policies.limits.put("keypair-policy:tight", limits(LimitScope.KEYPAIR_POLICY, "tight", Map.of(), UnspecifiedSlots.UNLIMITED, 1));
            policies.keypairPolicy.put("AK1", "tight");
            ledger.reserve(candidate("a", "AK1", spec(1000, GIB).build(), NOW));
            assertEquals(List.of(Predicates.CONCURRENCY), failedNames(check(candidate("s1", "AK1", spec(1000, GIB).build(), NOW))));
        }
    }

    @Nested
    @DisplayName("resource limits (SCH-09, SCH-10)")
    class ResourceLimitsTests {
        @Test
        @DisplayName("keypair: held + asked above total_resource_slots waits, naming the slot and how much too much")
        void keypair() {
            policies.limits.put("keypair-policy:default", limits(LimitScope.KEYPAIR_POLICY, "default",
                    Map.of("cpu", 4000L, "mem", 8 * GIB), UnspecifiedSlots.UNLIMITED, 0));
            ledger.reserve(candidate("a", "AK1", spec(3000, GIB).build(), NOW));
            assertTrue(check(candidate("s1", "AK1", spec(1000, GIB).build(), NOW)).admitted(), "exactly at the limit fits");
            Verdict verdict = check(candidate("s1", "AK1", spec(1500, GIB).build(), NOW));
            assertEquals(List.of(Predicates.KEYPAIR_LIMIT), failedNames(verdict));
            assertEquals("Your keypair resource quota is exceeded. (cpu 0.5 more than allowed)", verdict.failed().get(0).getMsg());
        }

        @Test
        @DisplayName("keypair: a cluster of N kernels asks N times the per-kernel slots")
        void clusterCountsEveryKernel() {
            policies.limits.put("keypair-policy:default", limits(LimitScope.KEYPAIR_POLICY, "default",
                    Map.of("cpu", 4000L), UnspecifiedSlots.UNLIMITED, 0));
            assertTrue(check(candidate("s1", "AK1", spec(2000, GIB).setClusterSize(2).build(), NOW)).admitted());
            assertEquals(List.of(Predicates.KEYPAIR_LIMIT), failedNames(check(candidate("s1", "AK1", spec(2000, GIB).setClusterSize(3).build(), NOW))));
        }

        @Test
        @DisplayName("keypair: a slot the policy does not name is 0 when LIMITED, unlimited when UNLIMITED")
        void defaultForUnspecified() {
            var gpu = spec(1000, GIB).setResources(Map.of("cpu", 1000L, "mem", GIB, "cuda.shares", 500L)).build();
            policies.limits.put("keypair-policy:default", limits(LimitScope.KEYPAIR_POLICY, "default",
                    Map.of("cpu", 4000L, "mem", 8 * GIB), UnspecifiedSlots.LIMITED, 0));
            Verdict limited = check(candidate("s1", "AK1", gpu, NOW));
            assertEquals(List.of(Predicates.KEYPAIR_LIMIT), failedNames(limited));
            assertTrue(limited.failed().get(0).getMsg().contains("cuda.shares 0.5"), limited.failed().get(0).getMsg());
            policies.limits.put("keypair-policy:default", limits(LimitScope.KEYPAIR_POLICY, "default",
                    Map.of("cpu", 4000L, "mem", 8 * GIB), UnspecifiedSlots.UNLIMITED, 0));
            assertTrue(check(candidate("s1", "AK1", gpu, NOW)).admitted());
        }

        @Test
        @DisplayName("user, project and domain limits each hold on their own, summed over every keypair of the scope")
        void userProjectDomain() {
            ledger.reserve(candidate("a", "AK-other", spec(3000, GIB).build(), NOW)); // same user u1, project p1, domain d1
            for (var scope : List.of(LimitScope.USER, LimitScope.PROJECT, LimitScope.DOMAIN)) {
                String id = switch (scope) { case USER -> "u1"; case PROJECT -> "p1"; default -> "d1"; };
                String key = switch (scope) { case USER -> "user:u1"; case PROJECT -> "project:p1"; default -> "domain:d1"; };
                String predicate = switch (scope) {
                    case USER -> Predicates.USER_LIMIT;
                    case PROJECT -> Predicates.PROJECT_LIMIT;
                    default -> Predicates.DOMAIN_LIMIT;
                };
                policies.limits.clear();
                policies.limits.put(key, limits(scope, id, Map.of("cpu", 4000L), UnspecifiedSlots.LIMITED, 0));
                assertTrue(check(candidate("s1", "AK1", spec(1000, 64 * GIB).build(), NOW)).admitted(),
                        scope + ": slots the limit does not name are unlimited (SCH-10), whatever defaultForUnspecified says");
                Verdict verdict = check(candidate("s1", "AK1", spec(2000, GIB).build(), NOW));
                assertEquals(List.of(predicate), failedNames(verdict), scope.name());
            }
        }

        @Test
        @DisplayName("SES-10 SYSTEM sessions skip concurrency and every resource limit, and hold no quota")
        void systemSkips() {
            policies.limits.put("keypair-policy:default", limits(LimitScope.KEYPAIR_POLICY, "default", Map.of("cpu", 1000L), UnspecifiedSlots.LIMITED, 1));
            policies.limits.put("domain:d1", limits(LimitScope.DOMAIN, "d1", Map.of("cpu", 1000L), UnspecifiedSlots.UNLIMITED, 0));
            ledger.reserve(candidate("a", "AK1", spec(1000, GIB).build(), NOW));
            SessionAdmitted system = candidate("sys", "AK1", spec(8000, GIB).setRole(KernelRole.SYSTEM).build(), NOW);
            Verdict verdict = check(system);
            assertTrue(verdict.admitted());
            assertEquals(List.of(Predicates.RESERVED_TIME, Predicates.DEPENDENCIES, Predicates.SESSION_TYPES, Predicates.KEYPAIR_ACTIVE),
                    verdict.passed());
            ledger.reserve(system);
            assertEquals(1, ledger.sessions("AK1"));
            assertEquals(Map.of("cpu", 1000L, "mem", GIB), ledger.keypair("AK1"));
        }
    }

    @Nested
    @DisplayName("time, dependencies and session types")
    class Others {
        @Test
        @DisplayName("SCH-06 a batch session waits for its starts_at; other types ignore it")
        void reservedTime() {
            var later = spec(1000, GIB).setSessionType(SessionType.BATCH).setStartsAt(Instant.ofEpochMilli(NOW + 1));
            assertEquals(List.of(Predicates.RESERVED_TIME), failedNames(check(candidate("s1", "AK1", later.build(), NOW))));
            assertTrue(Predicates.check(candidate("s1", "AK1", later.build(), NOW), ledger, policies, NO_DEPENDENCIES, NOW + 1).admitted(),
                    "at the start time it goes");
            assertTrue(check(candidate("s1", "AK1", later.setSessionType(SessionType.INTERACTIVE).build(), NOW)).admitted());
        }

        @Test
        @DisplayName("SCH-07 unfinished or unknown dependencies keep it waiting, listed; all succeeded lets it go; one failed cancels it")
        void dependencies() {
            var spec = spec(1000, GIB).setDependencies(List.of("d-ok", "d-run", "d-unknown")).build();
            Map<String, DependencyState> states = new java.util.HashMap<>(Map.of("d-ok", DependencyState.SUCCEEDED,
                    "d-run", DependencyState.UNFINISHED, "d-unknown", DependencyState.UNKNOWN));
            Verdict waiting = Predicates.check(candidate("s1", "AK1", spec, NOW), ledger, policies, states::get, NOW);
            assertEquals(List.of(Predicates.DEPENDENCIES), failedNames(waiting));
            assertEquals("Waiting dependency sessions to finish as success: d-run, d-unknown", waiting.failed().get(0).getMsg());
            assertNull(waiting.cancelReason());

            states.put("d-run", DependencyState.SUCCEEDED);
            states.put("d-unknown", DependencyState.SUCCEEDED);
            assertTrue(Predicates.check(candidate("s1", "AK1", spec, NOW), ledger, policies, states::get, NOW).admitted());

            states.put("d-run", DependencyState.FAILED);
            Verdict failed = Predicates.check(candidate("s1", "AK1", spec, NOW), ledger, policies, states::get, NOW);
            assertFalse(failed.admitted());
            assertEquals(Predicates.DEPENDENCY_FAILED, failed.cancelReason());
            assertTrue(failed.failed().get(0).getMsg().contains("d-run"));
        }

        @Test
        @DisplayName("RES-07 a group that does not accept the session type, or is inactive, keeps it waiting; an unknown group accepts all")
        void sessionTypes() {
            var batch = spec(1000, GIB).setSessionType(SessionType.BATCH).setScalingGroup("gpu").build();
            assertTrue(check(candidate("s1", "AK1", batch, NOW)).admitted());
            policies.groups.put("gpu", group("gpu", List.of(SessionType.INTERACTIVE)));
            Verdict verdict = check(candidate("s1", "AK1", batch, NOW));
            assertEquals(List.of(Predicates.SESSION_TYPES), failedNames(verdict));
            assertEquals("Scaling group gpu does not accept batch sessions", verdict.failed().get(0).getMsg());
            var inactive = group("gpu", List.of(SessionType.BATCH));
            inactive.setActive(false);
            policies.groups.put("gpu", inactive);
            assertEquals(List.of(Predicates.SESSION_TYPES), failedNames(check(candidate("s1", "AK1", batch, NOW))));
        }

        @Test
        @DisplayName("SCH-05 every predicate runs: several failures are all reported")
        void noShortCircuit() {
            policies.limits.put("keypair-policy:default", limits(LimitScope.KEYPAIR_POLICY, "default", Map.of("cpu", 500L), UnspecifiedSlots.UNLIMITED, 0));
            policies.groups.put("default", group("default", List.of(SessionType.INFERENCE)));
            var spec = spec(1000, GIB).setSessionType(SessionType.BATCH).setStartsAt(Instant.ofEpochMilli(NOW + 60_000)).build();
            assertEquals(List.of(Predicates.RESERVED_TIME, Predicates.KEYPAIR_LIMIT, Predicates.SESSION_TYPES),
                    failedNames(check(candidate("s1", "AK1", spec, NOW))));
        }
    }

    @Test
    @DisplayName("the ledger gives back exactly what it took")
    void ledgerRoundTrip() {
        SessionAdmitted a = candidate("a", "AK1", spec(1000, GIB).setClusterSize(2).build(), NOW);
        ledger.reserve(a);
        assertEquals(Map.of("cpu", 2000L, "mem", 2 * GIB), ledger.domain("d1"));
        ledger.release(a);
        assertEquals(Map.of(), ledger.keypair("AK1"));
        assertEquals(Map.of(), ledger.user("u1"));
        assertEquals(Map.of(), ledger.project("p1"));
        assertEquals(Map.of(), ledger.domain("d1"));
        assertEquals(0, ledger.sessions("AK1"));
    }
}
