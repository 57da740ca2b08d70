package dev.berth.topology.idle;

import dev.berth.schema.avro.IdleState;
import dev.berth.schema.avro.KernelStats;
import dev.berth.schema.avro.KernelUtilization;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The idle checks of one session (SPEC IDL-06..21) as pure functions of its state, the settings,
 * the keypair policy and the time: no clock, no I/O.
 */
public final class IdleChecks {

    /** The reports of the enabled checkers, and the first checker that finds the session idle, if any. */
    public record Evaluation(List<IdleReport> reports, Checker expired) {
        public Evaluation {
            reports = List.copyOf(reports);
        }
    }

    private IdleChecks() {}

    /** When the new-user grace period of the session's user ends (IDL-21), or null if there is none. */
    public static Long userGraceEnd(IdleState state, IdleSettings settings) {
        if (!settings.hasUserGrace() || state.getUserSince() == null) return null;
        return state.getUserSince() + settings.userGracePeriod().toMillis();
    }

    public static Evaluation evaluate(IdleState state, IdleSettings settings, IdlePolicy policy, long now) {
        List<IdleReport> reports = new ArrayList<>();
        Checker expired = null;
        for (Checker checker : Checker.values()) {
            if (!settings.enabled().contains(checker)) continue;
            IdleReport report = switch (checker) {
                case NETWORK_TIMEOUT -> networkTimeout(state, settings, policy, now);
                case SESSION_LIFETIME -> sessionLifetime(state, settings, policy, now);
                case UTILIZATION -> utilization(state, settings, policy, now);
            };
            reports.add(report);
            if (expired == null && isExpired(checker, report, state, settings, policy, now)) expired = checker;
        }
        return new Evaluation(reports, expired);
    }

    /** AMB-12: network_timeout keeps a session whose remaining time is exactly 0, session_lifetime ends it. */
    private static boolean isExpired(Checker checker, IdleReport report, IdleState state, IdleSettings settings, IdlePolicy policy, long now) {
        return switch (checker) {
            case NETWORK_TIMEOUT -> report.deadline() != null && now > report.deadline();
            case SESSION_LIFETIME -> report.deadline() != null && now >= report.deadline();
            case UTILIZATION -> report.deadline() != null
                    && UtilizationCheck.underused(state.getSeries(), settings.utilization(), UtilizationCheck.windowSize(settings.utilization(), policy));
        };
    }

    /** IDL-10: batch sessions and sessions never accessed are kept; a timeout of 0 is infinite. */
    static IdleReport networkTimeout(IdleState state, IdleSettings settings, IdlePolicy policy, long now) {
        if ("BATCH".equals(state.getSessionType()) || state.getLastAccess() == null) return IdleReport.infinite(Checker.NETWORK_TIMEOUT, now);
        long timeoutMs = policy.idleTimeoutSeconds() >= 0 ? policy.idleTimeoutSeconds() * 1000 : settings.networkTimeout().toMillis();
        if (timeoutMs == 0) return IdleReport.infinite(Checker.NETWORK_TIMEOUT, now);
        long baseline = withGrace(state.getLastAccess(), userGraceEnd(state, settings));
        return new IdleReport(Checker.NETWORK_TIMEOUT, baseline + timeoutMs, now, null);
    }

    /** IDL-11: from the session's creation, if the policy sets a maximum lifetime. */
    static IdleReport sessionLifetime(IdleState state, IdleSettings settings, IdlePolicy policy, long now) {
        if (policy.maxLifetimeSeconds() <= 0) return IdleReport.infinite(Checker.SESSION_LIFETIME, now);
        long baseline = withGrace(state.getCreatedAt(), userGraceEnd(state, settings));
        return new IdleReport(Checker.SESSION_LIFETIME, baseline + policy.maxLifetimeSeconds() * 1000, now, null);
    }

    /** IDL-15: the remaining time is the grace period plus one window. */
    static IdleReport utilization(IdleState state, IdleSettings settings, IdlePolicy policy, long now) {
        UtilizationSettings util = settings.utilization();
        long windowSize = UtilizationCheck.windowSize(util, policy);
        if (util.excludedSessionTypes().contains(state.getSessionType()) || windowSize <= 0 || util.thresholds().isEmpty()) {
            return IdleReport.infinite(Checker.UTILIZATION, now);
        }
        long graceEnd = UtilizationCheck.graceEnd(state.getCreatedAt(), userGraceEnd(state, settings), util);
        long deadline = graceEnd + UtilizationCheck.window(util, policy).toMillis();
        return new IdleReport(Checker.UTILIZATION, deadline, now, UtilizationCheck.extra(state.getSeries(), util, windowSize));
    }

    private static long withGrace(long baseline, Long graceEnd) {
        return graceEnd == null ? baseline : Math.max(baseline, graceEnd);
    }

    /**
     * The state after a kernel's stats sample: its newest reading kept, and a utilization sample
     * taken if the grace period is over and the last one is at least a sample interval old
     * (IDL-14/15/17). A sample whose seq is not above the kernel's last one changes nothing.
     */
    public static IdleState observe(IdleState state, KernelStats stats, IdleSettings settings, IdlePolicy policy) {
        KernelUtilization previous = state.getLatest().get(stats.getKernelId());
        if (previous != null && stats.getSeq() <= previous.getSeq()) return state;
        long at = stats.getAt().toEpochMilli();
        Map<String, KernelUtilization> latest = new HashMap<>(state.getLatest());
        latest.put(stats.getKernelId(), new KernelUtilization(stats.getSeq(), at, stats.getCpuPercent(), stats.getMemBytes(),
                new HashMap<>(stats.getAccelerators())));
        IdleState next = IdleState.newBuilder(state).setLatest(latest).build();

        UtilizationSettings util = settings.utilization();
        long windowSize = UtilizationCheck.windowSize(util, policy);
        boolean applies = settings.enabled().contains(Checker.UTILIZATION) && state.getRunning() && windowSize > 0
                && !util.thresholds().isEmpty() && !util.excludedSessionTypes().contains(state.getSessionType());
        if (!applies) return next;
        if (at <= UtilizationCheck.graceEnd(state.getCreatedAt(), userGraceEnd(state, settings), util)) return next;
        Long last = state.getLastCollected();
        if (last != null && at - last < util.sampleInterval().toMillis()) return next;
        Map<String, Double> sample = UtilizationCheck.current(sampled(next), next.getResources(), util.thresholds().keySet());
        if (sample.isEmpty()) return next;
        next.setSeries(UtilizationCheck.append(next.getSeries(), sample, windowSize));
        next.setLastCollected(at);
        return next;
    }

    /** IDL-17: every live kernel of a cluster session, else the main kernel only. */
    private static Collection<KernelUtilization> sampled(IdleState state) {
        if (state.getClusterSize() > 1 || state.getMainKernelId() == null) return state.getLatest().values();
        KernelUtilization main = state.getLatest().get(state.getMainKernelId());
        return main == null ? List.of() : List.of(main);
    }
}
