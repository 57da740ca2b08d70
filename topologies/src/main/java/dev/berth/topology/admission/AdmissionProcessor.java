package dev.berth.topology.admission;

import dev.berth.schema.avro.DestroySession;
import dev.berth.schema.avro.SchedulingUpdate;
import dev.berth.schema.avro.SessionAdmitted;
import dev.berth.schema.avro.SessionEnded;
import dev.berth.schema.avro.SessionOutcome;
import dev.berth.schema.avro.SessionRequest;
import dev.berth.schema.avro.SessionResult;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.topology.ConfigTables;
import dev.berth.topology.SchedulerObserver;
import dev.berth.topology.WaitingReasons;
import dev.berth.topology.placement.GroupSettings;
import dev.berth.topology.placement.PlacementOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One task owns whole domains, so every limit a session is checked against (keypair, user, project,
 * domain) is summed in one place and no two admissions race for the same quota. A session that
 * passes reserves its slots until its end; one that fails waits here and is checked again when
 * something it may wait on changes, until its scaling group's pending timeout cancels it.
 */
final class AdmissionProcessor implements Processor<String, AdmissionInput, String, SpecificRecord> {

    static final String WAITING = "admission-waiting";
    static final String RESERVED = "admission-reserved";
    static final String OUTCOMES = "admission-outcomes";
    /** How often domains with changes get their waiting sessions checked again. */
    static final Duration PASS_EVERY = Duration.ofMillis(5);

    private final AdmissionOptions options;
    private final Supplier<PlacementOptions> placement;
    private ProcessorContext<String, SpecificRecord> context;
    private Policies policies;
    private GroupSettings groups;
    private KeyValueStore<String, SessionAdmitted> waitingStore;
    private KeyValueStore<String, SessionAdmitted> reservedStore;
    private KeyValueStore<String, SessionOutcome> outcomes;

    private final Ledger ledger = new Ledger();
    private final Map<String, SessionAdmitted> reserved = new HashMap<>();
    /** Waiting sessions per domain, oldest first. */
    private final Map<String, Map<String, SessionAdmitted>> waiting = new HashMap<>();
    private final Map<String, String> waitingIn = new HashMap<>();
    private final WaitingReasons told = new WaitingReasons();
    /** Failed checks per waiting session, for status_data.scheduler.retries; counted afresh after a restart. */
    private final Map<String, Integer> attempts = new HashMap<>();
    private final Set<String> dirty = new HashSet<>();

    private final SchedulerObserver observer;

    AdmissionProcessor(AdmissionOptions options, Supplier<PlacementOptions> placement, SchedulerObserver observer) {
        this.options = options;
        this.placement = placement;
        this.observer = observer;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.policies = ConfigTables.policies(context);
        this.groups = new GroupSettings(placement, policies::scalingGroup);
        this.waitingStore = context.getStateStore(WAITING);
        this.reservedStore = context.getStateStore(RESERVED);
        this.outcomes = context.getStateStore(OUTCOMES);
        try (var it = reservedStore.all()) {
            while (it.hasNext()) remember(it.next().value);
        }
        List<SessionAdmitted> queued = new ArrayList<>();
        try (var it = waitingStore.all()) {
            while (it.hasNext()) queued.add(it.next().value);
        }
        queued.sort(Comparator.comparing(SessionAdmitted::getAt));
        queued.forEach(this::rememberWaiting);
        dirty.addAll(waiting.keySet());
        context.schedule(PASS_EVERY, PunctuationType.WALL_CLOCK_TIME, this::runPasses);
        context.schedule(options.recheckEvery(), PunctuationType.WALL_CLOCK_TIME, now -> dirty.addAll(waiting.keySet()));
        context.schedule(options.outcomeRetention().dividedBy(4), PunctuationType.WALL_CLOCK_TIME, this::forgetOldOutcomes);
    }

    @Override
    public void process(Record<String, AdmissionInput> record) {
        switch (record.value()) {
            case AdmissionInput.Create create -> admitOrWait(create.candidate(), record.timestamp());
            case AdmissionInput.Ended ended -> end(ended.ended(), record.timestamp());
        }
    }

    private void admitOrWait(SessionAdmitted candidate, long nowMs) {
        String id = candidate.getSessionId();
        // a redelivery, or a create that arrives after its session already ended
        if (reserved.containsKey(id) || waitingIn.containsKey(id) || outcomes.get(id) != null) return;
        if (waiting.containsKey(domainOf(candidate))) {
            // others of the domain wait already: join the queue, so that the pass keeps their order
            waitingStore.put(id, candidate);
            rememberWaiting(candidate);
            dirty.add(domainOf(candidate));
            return;
        }
        Verdict verdict = check(candidate, nowMs);
        if (verdict.admitted()) {
            admit(candidate, nowMs);
        } else if (verdict.cancelReason() != null) {
            cancel(candidate, verdict.cancelReason(), nowMs);
        } else {
            waitingStore.put(id, candidate);
            rememberWaiting(candidate);
            tell(candidate, verdict, nowMs);
        }
    }

    /** Each session's resources are given back once: the first end event removes the reservation. */
    private void end(SessionEnded ended, long nowMs) {
        String id = ended.getSessionId();
        if (outcomes.get(id) == null) {
            outcomes.put(id, new SessionOutcome(id, ended.getStatus(), ended.getResult(), Instant.ofEpochMilli(nowMs)));
        }
        forgetWaiting(id);
        SessionAdmitted held = reserved.remove(id);
        if (held != null) {
            reservedStore.delete(id);
            ledger.release(held);
        }
        // a release, or an outcome a dependent waits on
        String domain = ended.getDomain();
        if (waiting.containsKey(domain)) dirty.add(domain);
    }

    private void runPasses(long nowMs) {
        if (dirty.isEmpty()) return;
        List<String> domains = List.copyOf(dirty);
        dirty.clear();
        for (String domain : domains) pass(domain, nowMs);
    }

    /** Checks a domain's waiting sessions in arrival order; each admission is seen by the next check. */
    private void pass(String domain, long nowMs) {
        Map<String, SessionAdmitted> queue = waiting.get(domain);
        if (queue == null) return;
        for (SessionAdmitted candidate : List.copyOf(queue.values())) {
            Verdict verdict = check(candidate, nowMs);
            if (verdict.admitted()) {
                forgetWaiting(candidate.getSessionId());
                admit(candidate, nowMs);
            } else if (verdict.cancelReason() != null) {
                forgetWaiting(candidate.getSessionId());
                cancel(candidate, verdict.cancelReason(), nowMs);
            } else {
                tell(candidate, verdict, nowMs);
            }
        }
    }

    /**
     * SCH-03 first: a session pending its group's timeout since its creation is cancelled, whatever
     * it waits on; placement's check covers it once admitted, so only one of the two ever fires.
     */
    private Verdict check(SessionAdmitted candidate, long nowMs) {
        if (groups.of(candidate.getSpec().getScalingGroup()).timedOut(candidate.getAt().toEpochMilli(), nowMs)) {
            return Verdict.cancel(GroupSettings.PENDING_TIMEOUT);
        }
        return Predicates.check(candidate, ledger, policies, this::dependency, nowMs);
    }

    /** Its {@code at} stays the create's: placement orders by it and counts the pending timeout from it (SCH-02, AMB-11). */
    private void admit(SessionAdmitted candidate, long nowMs) {
        observer.admission(true);
        reservedStore.put(candidate.getSessionId(), candidate);
        remember(candidate);
        context.forward(new Record<>(candidate.getSpec().getScalingGroup(), candidate, nowMs));
    }

    /** The lifecycle decides, as for any destroy; its end event then records the outcome here. */
    private void cancel(SessionAdmitted candidate, String reason, long nowMs) {
        SessionRequest cancel = SessionRequest.newBuilder()
                .setRequestId(candidate.getSessionId() + ":" + reason)
                .setSessionId(candidate.getSessionId())
                .setAt(Instant.ofEpochMilli(nowMs))
                .setAccessKey(candidate.getAccessKey())
                .setOp(new DestroySession(false, reason))
                .build();
        context.forward(new Record<>(candidate.getSessionId(), cancel, nowMs));
    }

    /** SCH-12: the failed predicates go onto the session, which stays PENDING. */
    private void tell(SessionAdmitted candidate, Verdict verdict, long nowMs) {
        String id = candidate.getSessionId();
        if (attempts.get(id) == null) observer.admission(false);
        int tries = attempts.merge(id, 1, Integer::sum);
        SchedulingUpdate update = told.next(id, WaitingReasons.PREDICATE_CHECKS_FAILED, tries, verdict.failed(), verdict.passed(), null, nowMs);
        if (update != null) context.forward(new Record<>(id, update, nowMs));
    }

    private DependencyState dependency(String sessionId) {
        SessionOutcome outcome = outcomes.get(sessionId);
        if (outcome != null) {
            return outcome.getStatus() == SessionStatus.TERMINATED && outcome.getResult() != SessionResult.FAILURE
                    ? DependencyState.SUCCEEDED : DependencyState.FAILED;
        }
        if (reserved.containsKey(sessionId) || waitingIn.containsKey(sessionId)) return DependencyState.UNFINISHED;
        return DependencyState.UNKNOWN;
    }

    private void remember(SessionAdmitted admitted) {
        reserved.put(admitted.getSessionId(), admitted);
        ledger.reserve(admitted);
    }

    private void rememberWaiting(SessionAdmitted candidate) {
        waitingIn.put(candidate.getSessionId(), domainOf(candidate));
        waiting.computeIfAbsent(domainOf(candidate), d -> new LinkedHashMap<>()).put(candidate.getSessionId(), candidate);
    }

    private void forgetWaiting(String sessionId) {
        told.forget(sessionId);
        attempts.remove(sessionId);
        String domain = waitingIn.remove(sessionId);
        if (domain == null) return;
        waitingStore.delete(sessionId);
        Map<String, SessionAdmitted> queue = waiting.get(domain);
        queue.remove(sessionId);
        if (queue.isEmpty()) waiting.remove(domain);
    }

    private static String domainOf(SessionAdmitted admitted) {
        return admitted.getSpec().getDomain();
    }

    private void forgetOldOutcomes(long nowMs) {
        long cutoff = nowMs - options.outcomeRetention().toMillis();
        List<String> old = new ArrayList<>();
        try (var it = outcomes.all()) {
            while (it.hasNext()) {
                var entry = it.next();
                if (entry.value.getAt().toEpochMilli() < cutoff) old.add(entry.key);
            }
        }
        old.forEach(outcomes::delete);
    }
}
