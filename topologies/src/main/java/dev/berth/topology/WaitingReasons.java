package dev.berth.topology;

import dev.berth.schema.avro.PredicateFailure;
import dev.berth.schema.avro.SchedulerStatus;
import dev.berth.schema.avro.SchedulingUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What admission and placement last told the lifecycle about each session they keep waiting. A new
 * reason is told at once; an unchanged one only every {@link #REFRESH_EVERY}, with the retry count
 * brought up to date, so that a long wait does not flood session.events.
 */
public final class WaitingReasons {

    public static final Duration REFRESH_EVERY = Duration.ofSeconds(10);
    public static final String PREDICATE_CHECKS_FAILED = "predicate-checks-failed";
    public static final String NO_AVAILABLE_INSTANCES = "no-available-instances";

    private final Map<String, SchedulingUpdate> told = new HashMap<>();

    /** The update to publish for this attempt, or null when the lifecycle already knows enough. */
    public SchedulingUpdate next(String sessionId, String statusInfo, int retries, List<PredicateFailure> failed,
                                 List<String> passed, String msg, long nowMs) {
        SchedulingUpdate last = told.get(sessionId);
        if (last != null && last.getStatusInfo().equals(statusInfo)
                && last.getStatus().getFailedPredicates().equals(failed)
                && Objects.equals(last.getStatus().getMsg(), msg)
                && nowMs - last.getAt().toEpochMilli() < REFRESH_EVERY.toMillis()) {
            return null;
        }
        SchedulerStatus status = SchedulerStatus.newBuilder()
                .setRetries(retries)
                .setLastTry(Instant.ofEpochMilli(nowMs))
                .setFailedPredicates(failed)
                .setPassedPredicates(passed)
                .setMsg(msg)
                .build();
        SchedulingUpdate update = new SchedulingUpdate(sessionId, Instant.ofEpochMilli(nowMs), statusInfo, status);
        told.put(sessionId, update);
        return update;
    }

    public void forget(String sessionId) {
        told.remove(sessionId);
    }
}
