package dev.berth.topology.idle;

import dev.berth.schema.avro.DestroySession;
import dev.berth.schema.avro.IdleState;
import dev.berth.schema.avro.KernelInfo;
import dev.berth.schema.avro.KernelUtilization;
import dev.berth.schema.avro.ScalingGroupConfig;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionRequest;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.topology.ConfigTables;
import dev.berth.topology.admission.Policies;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps what the checks need of each live session and runs them after every input and, against
 * the wall clock, every check interval; asks the lifecycle once to end a session a checker finds
 * idle, and leaves the reports with the sink.
 */
final class IdleProcessor implements Processor<String, IdleInput, String, SessionRequest> {

    static final String STORE = "idle-sessions";
    private static final Logger log = LoggerFactory.getLogger(IdleProcessor.class);
    private static final Set<SessionStatus> GONE = Set.of(SessionStatus.TERMINATING, SessionStatus.TERMINATED,
            SessionStatus.CANCELLED, SessionStatus.ERROR);

    /** What was last handed to the sink for a session, to skip rewriting an unchanged report. */
    private record Written(List<Object> content, long at) { }

    /** A scaling group's settings, parsed once per version of its configuration and of the installation's. */
    private record GroupSettings(long version, IdleSettings base, IdleSettings settings) { }

    /** The installation's settings, read per check: the shared configuration may change them at any time. */
    private final Supplier<IdleSettings> settings;
    private final IdleReportSink sink;
    private final Map<String, Written> written = new HashMap<>();
    private final Map<String, GroupSettings> groups = new HashMap<>();
    private ProcessorContext<String, SessionRequest> context;
    private KeyValueStore<String, IdleState> store;
    private Policies policies;

    IdleProcessor(Supplier<IdleSettings> settings, IdleReportSink sink) {
        this.settings = settings;
        this.sink = sink;
    }

    @Override
    public void init(ProcessorContext<String, SessionRequest> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        this.policies = ConfigTables.policies(context);
        context.schedule(settings.get().checkInterval(), PunctuationType.WALL_CLOCK_TIME, this::checkAll);
    }

    @Override
    public void process(Record<String, IdleInput> record) {
        String sessionId = record.key();
        if (sessionId == null) return;
        IdleState state = store.get(sessionId);
        IdleState next = switch (record.value()) {
            case IdleInput.Changed changed -> changed(state, changed.event().getSession(), changed.event().getAt().toEpochMilli());
            case IdleInput.Stats stats -> state == null ? null
                    : IdleChecks.observe(state, stats.stats(), settingsFor(state), policy(state));
            case IdleInput.Activity activity -> state == null ? null : accessed(state, activity.activity().getAt().toEpochMilli());
            case IdleInput.UserSince user -> state == null ? null : IdleState.newBuilder(state)
                    .setUserSince(state.getUserSince() == null ? user.since() : Math.min(state.getUserSince(), user.since())).build();
        };
        if (next == null) {
            if (state != null) forget(sessionId);
            return;
        }
        store.put(sessionId, next);
        check(next, context.currentSystemTimeMs());
    }

    private void checkAll(long now) {
        List<IdleState> live = new ArrayList<>();
        try (KeyValueIterator<String, IdleState> all = store.all()) {
            all.forEachRemaining(entry -> live.add(entry.value));
        }
        live.forEach(state -> check(state, now));
    }

    /** Null when the session no longer holds resources worth checking. */
    private static IdleState changed(IdleState state, Session session, long at) {
        if (GONE.contains(session.getStatus())) return null;
        boolean running = session.getStatus() == SessionStatus.RUNNING;
        Set<String> kernels = new HashSet<>();
        String main = null;
        for (KernelInfo kernel : session.getKernels()) {
            kernels.add(kernel.getKernelId());
            if ("main".equals(kernel.getClusterRole())) main = kernel.getKernelId();
        }
        IdleState.Builder next = state == null ? fresh(session) : IdleState.newBuilder(state);
        Map<String, KernelUtilization> latest = new HashMap<>(next.getLatest());
        latest.keySet().retainAll(kernels);
        next.setLatest(latest).setMainKernelId(main).setRunning(running);
        if (running && (state == null || !state.getRunning())) {
            // IDL-09: the start counts as the first access
            Long started = session.getStatusHistory().get(SessionStatus.RUNNING.name());
            long since = started == null ? at : started;
            next.setLastAccess(next.getLastAccess() == null ? since : Math.max(next.getLastAccess(), since));
        }
        return next.build();
    }

    private static IdleState.Builder fresh(Session session) {
        var spec = session.getSpec();
        return IdleState.newBuilder()
                .setSessionId(session.getSessionId())
                .setAccessKey(session.getAccessKey())
                .setUserId(spec.getUserId())
                .setSessionType(spec.getSessionType().name())
                .setScalingGroup(spec.getScalingGroup())
                .setClusterSize(spec.getClusterSize())
                .setResources(new HashMap<>(spec.getResources()))
                .setCreatedAt(session.getCreatedAt().toEpochMilli())
                .setSeries(new HashMap<>())
                .setLatest(new HashMap<>());
    }

    private static IdleState accessed(IdleState state, long at) {
        Long last = state.getLastAccess();
        return IdleState.newBuilder(state).setLastAccess(last == null ? at : Math.max(last, at)).build();
    }

    private void check(IdleState state, long now) {
        if (!state.getRunning() || state.getTerminating() != null) return;
        IdleChecks.Evaluation evaluation = IdleChecks.evaluate(state, settingsFor(state), policy(state), now);
        report(state.getSessionId(), evaluation.reports(), now);
        Checker expired = evaluation.expired();
        if (expired == null) return;
        state.setTerminating(expired.reason);
        store.put(state.getSessionId(), state);
        log.info("session {} is idle ({}): asking to end it", state.getSessionId(), expired.reason);
        sink.expired(state.getSessionId(), expired);
        context.forward(new Record<>(state.getSessionId(), destroy(state, expired, now), now));
    }

    private static SessionRequest destroy(IdleState state, Checker expired, long now) {
        String requestId = UUID.nameUUIDFromBytes((state.getSessionId() + "/" + expired.reason).getBytes(StandardCharsets.UTF_8)).toString();
        return SessionRequest.newBuilder()
                .setRequestId(requestId)
                .setSessionId(state.getSessionId())
                .setAt(Instant.ofEpochMilli(now))
                .setAccessKey(state.getAccessKey())
                .setOp(new DestroySession(false, expired.reason))
                .build();
    }

    private void report(String sessionId, List<IdleReport> reports, long now) {
        List<Object> content = reports.stream().map(r -> (Object) List.of(r.checker(), Objects.requireNonNullElse(r.deadline(), -1L),
                Objects.requireNonNullElse((Object) r.utilization(), ""))).toList();
        Written last = written.get(sessionId);
        if (last != null && last.content().equals(content) && now - last.at() < settings.get().reportRefresh().toMillis()) return;
        written.put(sessionId, new Written(content, now));
        sink.write(sessionId, reports);
    }

    private void forget(String sessionId) {
        store.delete(sessionId);
        written.remove(sessionId);
        sink.clear(sessionId);
    }

    private IdlePolicy policy(IdleState state) {
        return IdlePolicy.of(policies.keypair(state.getAccessKey()));
    }

    /** The group's idle options over the installation's; options that do not parse are logged once and ignored. */
    private IdleSettings settingsFor(IdleState state) {
        IdleSettings base = settings.get();
        ScalingGroupConfig group = policies.scalingGroup(state.getScalingGroup());
        if (group == null) return base;
        GroupSettings cached = groups.get(group.getName());
        if (cached != null && cached.version() == group.getVersion() && cached.base() == base) return cached.settings();
        IdleSettings parsed;
        try {
            parsed = base.forGroup(group.getSchedulerConfig());
        } catch (IllegalArgumentException e) {
            if (cached == null || cached.version() != group.getVersion()) log.warn("scaling group {}: idle options ignored: {}", group.getName(), e.getMessage());
            parsed = base;
        }
        groups.put(group.getName(), new GroupSettings(group.getVersion(), base, parsed));
        return parsed;
    }
}
