package dev.berth.topology.admission;

import dev.berth.schema.Slots;
import dev.berth.schema.avro.PredicateFailure;
import dev.berth.schema.avro.ResourceLimits;
import dev.berth.schema.avro.ScalingGroupConfig;
import dev.berth.schema.avro.SessionAdmitted;
import dev.berth.schema.avro.SessionType;
import dev.berth.schema.avro.UnspecifiedSlots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Admission's predicates, pure: the session, what is already reserved, the policies and the time
 * in; the verdict out. Order of SCH-05, then the group's session types and the keypair's state; the
 * resource predicates are skipped for SYSTEM sessions.
 */
public final class Predicates {

    public static final String RESERVED_TIME = "reserved_time";
    public static final String DEPENDENCIES = "dependencies";
    public static final String CONCURRENCY = "concurrency";
    public static final String KEYPAIR_LIMIT = "keypair_resource_limit";
    public static final String USER_LIMIT = "user_resource_limit";
    public static final String PROJECT_LIMIT = "user_group_resource_limit";
    public static final String DOMAIN_LIMIT = "domain_resource_limit";
    public static final String SESSION_TYPES = "allowed_session_types";
    /** Not in the original: a deactivated keypair's sessions that were already pending wait until it is active again. */
    public static final String KEYPAIR_ACTIVE = "keypair_active";
    /** Status info of a session cancelled because a session it depends on failed. */
    public static final String DEPENDENCY_FAILED = "dependency-failed";

    private Predicates() {}

    public static Verdict check(SessionAdmitted session, Ledger ledger, Policies policies,
                                Function<String, DependencyState> dependencies, long nowMs) {
        List<String> passed = new ArrayList<>();
        List<PredicateFailure> failed = new ArrayList<>();
        var spec = session.getSpec();

        record(passed, failed, RESERVED_TIME, reservedTime(session, nowMs));

        List<String> unfinished = new ArrayList<>();
        List<String> broken = new ArrayList<>();
        for (String dependency : spec.getDependencies()) {
            switch (dependencies.apply(dependency)) {
                case SUCCEEDED -> { }
                case FAILED -> broken.add(dependency);
                case UNFINISHED, UNKNOWN -> unfinished.add(dependency);
            }
        }
        String cancel = null;
        if (!broken.isEmpty()) {
            failed.add(new PredicateFailure(DEPENDENCIES, "Dependency sessions did not finish as success: " + String.join(", ", broken)));
            cancel = DEPENDENCY_FAILED;
        } else {
            record(passed, failed, DEPENDENCIES, unfinished.isEmpty() ? null
                    : "Waiting dependency sessions to finish as success: " + String.join(", ", unfinished));
        }

        if (Ledger.counts(session)) {
            Map<String, Long> asked = Ledger.slotsOf(session);
            record(passed, failed, CONCURRENCY, concurrency(policies.keypair(session.getAccessKey()), ledger.sessions(session.getAccessKey())));
            record(passed, failed, KEYPAIR_LIMIT, quota("keypair", policies.keypair(session.getAccessKey()), ledger.keypair(session.getAccessKey()), asked, true));
            record(passed, failed, USER_LIMIT, quota("user", policies.user(spec.getUserId()), ledger.user(spec.getUserId()), asked, false));
            record(passed, failed, PROJECT_LIMIT, quota("project", policies.project(spec.getProject()), ledger.project(spec.getProject()), asked, false));
            record(passed, failed, DOMAIN_LIMIT, quota("domain", policies.domain(spec.getDomain()), ledger.domain(spec.getDomain()), asked, false));
        }

        record(passed, failed, SESSION_TYPES, sessionType(policies.scalingGroup(spec.getScalingGroup()), spec.getSessionType()));
        record(passed, failed, KEYPAIR_ACTIVE, policies.keypairActive(session.getAccessKey()) ? null
                : "Keypair " + session.getAccessKey() + " is not active");
        return new Verdict(passed, failed, cancel);
    }

    private static void record(List<String> passed, List<PredicateFailure> failed, String name, String failure) {
        if (failure == null) passed.add(name);
        else failed.add(new PredicateFailure(name, failure));
    }

    /** SCH-06: only batch sessions wait for their start time. */
    static String reservedTime(SessionAdmitted session, long nowMs) {
        var startsAt = session.getSpec().getStartsAt();
        if (session.getSpec().getSessionType() != SessionType.BATCH || startsAt == null) return null;
        return startsAt.toEpochMilli() > nowMs ? "Before start time (" + startsAt + ")" : null;
    }

    /** SCH-08: a limit of 0 means unlimited. */
    static String concurrency(ResourceLimits policy, int running) {
        if (policy == null || policy.getMaxConcurrentSessions() <= 0) return null;
        int limit = policy.getMaxConcurrentSessions();
        return running >= limit ? "You cannot run more than " + limit + " concurrent sessions" : null;
    }

    /**
     * SCH-09/10: held + asked must fit the limit in every slot. A slot the policy does not name is
     * unlimited, except for a keypair policy whose unspecified slots are LIMITED (to zero).
     */
    static String quota(String scope, ResourceLimits limits, Map<String, Long> held, Map<String, Long> asked, boolean keypairPolicy) {
        if (limits == null) return null;
        boolean unnamedIsZero = keypairPolicy && limits.getDefaultForUnspecified() == UnspecifiedSlots.LIMITED;
        Map<String, Long> over = new TreeMap<>();
        for (Map.Entry<String, Long> ask : asked.entrySet()) {
            if (ask.getValue() <= 0) continue;
            Long limit = limits.getTotalResourceSlots().get(ask.getKey());
            if (limit == null && !unnamedIsZero) continue;
            long allowed = limit == null ? 0 : limit;
            long total = held.getOrDefault(ask.getKey(), 0L) + ask.getValue();
            if (total > allowed) over.put(ask.getKey(), total - allowed);
        }
        if (over.isEmpty()) return null;
        return "Your " + scope + " resource quota is exceeded. (" + describe(over) + " more than allowed)";
    }

    /** RES-07: a group lists the session types it accepts; an unknown group accepts all. */
    static String sessionType(ScalingGroupConfig group, SessionType type) {
        if (group == null) return null;
        if (!group.getActive()) return "Scaling group " + group.getName() + " is not active";
        return group.getAllowedSessionTypes().contains(type) ? null
                : "Scaling group " + group.getName() + " does not accept " + type.name().toLowerCase() + " sessions";
    }

    private static String describe(Map<String, Long> slots) {
        List<String> parts = new ArrayList<>();
        Slots.present(slots).forEach((slot, amount) -> parts.add(slot + " " + amount));
        return String.join(", ", parts);
    }
}
