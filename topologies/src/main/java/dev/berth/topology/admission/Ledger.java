package dev.berth.topology.admission;

import dev.berth.schema.Slots;
import dev.berth.schema.avro.KernelRole;
import dev.berth.schema.avro.SessionAdmitted;
import java.util.HashMap;
import java.util.Map;

/**
 * What admitted sessions hold, summed per keypair, user, project and domain, with the number of
 * sessions per keypair. SYSTEM sessions are not counted (SES-10). Reservations are made once on
 * admission and released once on the session's end; the caller guarantees the once.
 */
public final class Ledger {

    private final Map<String, Map<String, Long>> byKeypair = new HashMap<>();
    private final Map<String, Map<String, Long>> byUser = new HashMap<>();
    private final Map<String, Map<String, Long>> byProject = new HashMap<>();
    private final Map<String, Map<String, Long>> byDomain = new HashMap<>();
    private final Map<String, Integer> sessionsByKeypair = new HashMap<>();

    /** Slots a session holds in all: each kernel's ask times the cluster size. */
    public static Map<String, Long> slotsOf(SessionAdmitted session) {
        return Slots.combine(Map.of(), session.getSpec().getResources(), session.getSpec().getClusterSize());
    }

    public static boolean counts(SessionAdmitted session) {
        return session.getSpec().getRole() != KernelRole.SYSTEM;
    }

    public void reserve(SessionAdmitted session) {
        apply(session, 1);
    }

    public void release(SessionAdmitted session) {
        apply(session, -1);
    }

    private void apply(SessionAdmitted session, int sign) {
        if (!counts(session)) return;
        Map<String, Long> slots = slotsOf(session);
        var spec = session.getSpec();
        add(byKeypair, session.getAccessKey(), slots, sign);
        add(byUser, spec.getUserId(), slots, sign);
        add(byProject, spec.getProject(), slots, sign);
        add(byDomain, spec.getDomain(), slots, sign);
        sessionsByKeypair.merge(session.getAccessKey(), sign, (a, b) -> a + b == 0 ? null : a + b);
    }

    private static void add(Map<String, Map<String, Long>> sums, String owner, Map<String, Long> slots, int sign) {
        Map<String, Long> next = Slots.combine(sums.getOrDefault(owner, Map.of()), slots, sign);
        next.values().removeIf(amount -> amount == 0);
        if (next.isEmpty()) sums.remove(owner);
        else sums.put(owner, next);
    }

    public Map<String, Long> keypair(String accessKey) {
        return byKeypair.getOrDefault(accessKey, Map.of());
    }

    public Map<String, Long> user(String userId) {
        return byUser.getOrDefault(userId, Map.of());
    }

    public Map<String, Long> project(String project) {
        return byProject.getOrDefault(project, Map.of());
    }

    public Map<String, Long> domain(String domain) {
        return byDomain.getOrDefault(domain, Map.of());
    }

    public int sessions(String accessKey) {
        return sessionsByKeypair.getOrDefault(accessKey, 0);
    }
}
