package dev.berth.topology.placement;

import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.schema.avro.AgentLost;
import dev.berth.schema.avro.ClusterMode;
import dev.berth.schema.avro.CreateKernel;
import dev.berth.schema.avro.DestroyKernel;
import dev.berth.schema.avro.DestroySession;
import dev.berth.schema.avro.KernelBinding;
import dev.berth.schema.avro.SessionAdmitted;
import dev.berth.schema.avro.SessionEnded;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.schema.avro.SessionPlaced;
import dev.berth.schema.avro.ScalingGroupConfig;
import dev.berth.schema.avro.SchedulingUpdate;
import dev.berth.schema.avro.SessionRequest;
import dev.berth.schema.KernelIds;
import dev.berth.topology.ConfigTables;
import dev.berth.topology.SchedulerObserver;
import dev.berth.topology.placement.PlacementOptions.GroupOptions;
import dev.berth.topology.WaitingReasons;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One task owns whole scaling groups: their queue, their agents and the allocations on them, so no
 * two decisions race for a slot. Free capacity is always derived as capacity minus live allocations.
 */
final class PlacementProcessor implements Processor<String, PlacementInput, String, SpecificRecord> {

    static final String QUEUE = "placement-queue";
    static final String AGENTS = "placement-agents";
    static final String ALLOCATIONS = "placement-allocations";
    static final String ENDED = "placement-ended";
    /** How often queues are checked for sessions past their group's pending timeout. */
    static final Duration PENDING_CHECK_EVERY = Duration.ofSeconds(1);
    /** How often groups with changes get a placement pass; also the most a placement waits for one. */
    static final Duration PASS_EVERY = Duration.ofMillis(5);
    /** How often agents are checked for silence longer than lostAfter. */
    static final Duration LOST_CHECK_EVERY = Duration.ofSeconds(1);
    /** Reason given to an agent for stopping a kernel that holds no allocation. */
    static final String NOT_ALLOCATED = "not-allocated";

    /** Read per pass and per record: the shared configuration may change it at any time. */
    private final Supplier<PlacementOptions> options;
    private ProcessorContext<String, SpecificRecord> context;
    private PlacementState state;
    private KeyValueStore<String, Long> ended;
    private final Set<String> dirty = new HashSet<>();
    private final WaitingReasons told = new WaitingReasons();
    /** Per agent, kernels it reported that it should not run and was told to stop: told once each. */
    private final Map<String, Set<String>> strayTold = new HashMap<>();

    private final SchedulerObserver observer;
    private GroupSettings groups;

    PlacementProcessor(Supplier<PlacementOptions> options, SchedulerObserver observer) {
        this.options = options;
        this.observer = observer;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.state = new PlacementState(context.getStateStore(QUEUE), context.getStateStore(AGENTS), context.getStateStore(ALLOCATIONS));
        this.ended = context.getStateStore(ENDED);
        context.schedule(options.get().endedRetention().dividedBy(4), PunctuationType.WALL_CLOCK_TIME, this::forgetOldEnded);
        context.schedule(PASS_EVERY, PunctuationType.WALL_CLOCK_TIME, this::runPasses);
        KeyValueStore<String, ScalingGroupConfig> configs = context.getStateStore(ConfigTables.SCALING_GROUPS);
        this.groups = new GroupSettings(options, configs::get);
        context.schedule(PENDING_CHECK_EVERY, PunctuationType.WALL_CLOCK_TIME, this::cancelTimedOut);
        context.schedule(LOST_CHECK_EVERY, PunctuationType.WALL_CLOCK_TIME, this::markLost);
    }

    @Override
    public void process(Record<String, PlacementInput> record) {
        String group = record.key();
        switch (record.value()) {
            case PlacementInput.Admitted admitted -> {
                String id = admitted.session().getSessionId();
                // a redelivery, or an admission that arrives after the session already ended
                if (state.holds(id) || ended.get(id) != null) return;
                state.enqueue(admitted.session());
            }
            case PlacementInput.Heartbeat heartbeat -> {
                stopStrays(heartbeat.heartbeat(), record.timestamp());
                observer.drift(heartbeat.heartbeat().getAgentId(), state.drift(heartbeat.heartbeat()));
                if (!state.putAgent(heartbeat.heartbeat(), options.get().staleAfter())) return;
            }
            case PlacementInput.Ended end -> release(record, end.ended());
        }
        dirty.add(group);
    }

    /** One pass per group that changed since the last: its cost is shared by every change in between. */
    private void runPasses(long nowMs) {
        if (dirty.isEmpty()) return;
        List<String> groups = List.copyOf(dirty);
        dirty.clear();
        for (String group : groups) {
            schedule(group, nowMs);
            observer.queued(group, state.queue(group).size());
        }
    }

    private void release(Record<String, PlacementInput> record, SessionEnded end) {
        String id = end.getSessionId();
        ended.put(id, record.timestamp());
        state.dequeue(id);
        told.forget(id);
        SessionPlaced held = state.release(id);
        if (held != null && end.getStatus() == SessionStatus.CANCELLED) {
            // cancelled before the lifecycle saw the placement: the kernels may be starting, stop them
            for (KernelBinding binding : held.getBindings()) {
                context.forward(record.withKey(binding.getAgentId()).withValue(AgentCommand.newBuilder()
                        .setCommandId(binding.getKernelId() + ":destroy")
                        .setAgentId(binding.getAgentId())
                        .setAt(Instant.ofEpochMilli(record.timestamp()))
                        .setOp(new DestroyKernel(binding.getKernelId(), id, "cancelled-before-start"))
                        .build()));
            }
        }
    }

    private void schedule(String group, long nowMs) {
        var queued = state.queue(group);
        if (queued.isEmpty()) return;
        List<PendingSession> pending = new ArrayList<>(queued.size());
        Map<String, SessionAdmitted> admittedById = new HashMap<>();
        for (SessionAdmitted admitted : queued) {
            admittedById.put(admitted.getSessionId(), admitted);
            pending.add(toPending(admitted, state.retries(admitted)));
        }

        var groupOptions = groups.of(group);
        List<Allocation> existing = groupOptions.policy().usesShares() ? state.allocations(group) : List.of();
        PassResult result = PlacementPass.run(pending, state.agentViews(group), existing, groupOptions.policy(), nowMs,
                options.get().staleAfter(), groupOptions.continueAfterUnplaceable());
        for (Unplaceable miss : result.unplaceable()) tellUnplaceable(miss, nowMs);
        if (!result.placements().isEmpty()) observer.placed(group, result.placements().size());
        for (Placement placement : result.placements()) {
            told.forget(placement.sessionId());
            SessionAdmitted admitted = admittedById.get(placement.sessionId());
            long at = Math.max(nowMs, admitted.getAt().toEpochMilli());
            SessionPlaced placed = placed(group, admitted, placement, at);
            state.dequeue(admitted.getSessionId());
            state.allocate(placed);
            context.forward(new Record<>(admitted.getSessionId(), placed, at));
            for (int i = 0; i < placement.agentIds().size(); i++) {
                String agentId = placement.agentIds().get(i);
                context.forward(new Record<>(agentId, createKernel(admitted, i, agentId, at), at));
            }
        }
    }

    /** SCH-16: the session stays queued with one more retry, and its reason goes onto the session. */
    private void tellUnplaceable(Unplaceable miss, long nowMs) {
        int retries = state.countRetry(miss.sessionId());
        SchedulingUpdate update = told.next(miss.sessionId(), WaitingReasons.NO_AVAILABLE_INSTANCES, retries, List.of(), List.of(),
                miss.reason(), nowMs);
        if (update == null) return;
        state.saveRetries(miss.sessionId());
        context.forward(new Record<>(miss.sessionId(), update, nowMs));
    }

    private static PendingSession toPending(SessionAdmitted admitted, int retries) {
        var spec = admitted.getSpec();
        return new PendingSession(admitted.getSessionId(), admitted.getAt().toEpochMilli(), spec.getArchitecture(),
                spec.getClusterMode() == ClusterMode.MULTI_NODE, admitted.getKernelIds(), spec.getResources(),
                admitted.getAccessKey(), retries);
    }

    private static SessionPlaced placed(String group, SessionAdmitted admitted, Placement placement, long at) {
        List<KernelBinding> bindings = new ArrayList<>(placement.agentIds().size());
        for (int i = 0; i < placement.agentIds().size(); i++) {
            bindings.add(new KernelBinding(admitted.getKernelIds().get(i), placement.agentIds().get(i), admitted.getSpec().getResources()));
        }
        return new SessionPlaced(admitted.getSessionId(), Instant.ofEpochMilli(at), group, admitted.getAccessKey(), bindings);
    }

    private static AgentCommand createKernel(SessionAdmitted admitted, int index, String agentId, long at) {
        var spec = admitted.getSpec();
        String kernelId = admitted.getKernelIds().get(index);
        return AgentCommand.newBuilder()
                .setCommandId(kernelId + ":create")
                .setAgentId(agentId)
                .setAt(Instant.ofEpochMilli(at))
                .setOp(CreateKernel.newBuilder()
                        .setKernelId(kernelId)
                        .setSessionId(admitted.getSessionId())
                        .setSessionName(spec.getName())
                        .setSessionType(spec.getSessionType())
                        .setImage(spec.getImage())
                        .setArchitecture(spec.getArchitecture())
                        .setCommand(spec.getCommand())
                        .setEnviron(spec.getEnviron())
                        .setResources(spec.getResources())
                        .setClusterRole(KernelIds.role(index))
                        .setClusterIdx(KernelIds.clusterIdx(index))
                        .setClusterHostname(KernelIds.hostname(index))
                        .setClusterSize(admitted.getKernelIds().size())
                        .setClusterHosts(hostnames(admitted.getKernelIds().size()))
                        .setAccessKey(admitted.getAccessKey())
                        .setBootstrapScript(spec.getBootstrapScript())
                        .build())
                .build();
    }

    private static List<String> hostnames(int kernels) {
        List<String> hosts = new ArrayList<>(kernels);
        for (int i = 0; i < kernels; i++) hosts.add(KernelIds.hostname(i));
        return hosts;
    }

    /**
     * An agent silent for lostAfter is forgotten; every session with a kernel on it gives back its
     * whole allocation, and the lifecycle is told, to end it in ERROR or queue it again.
     */
    private void markLost(long nowMs) {
        for (AgentHeartbeat agent : state.silentAgents(nowMs - options.get().lostAfter().toMillis())) {
            String agentId = agent.getAgentId();
            observer.agentLost(agentId);
            for (SessionPlaced held : state.removeAgent(agentId)) {
                SessionRequest lost = SessionRequest.newBuilder()
                        .setRequestId(held.getSessionId() + ":lost:" + agentId)
                        .setSessionId(held.getSessionId())
                        .setAt(Instant.ofEpochMilli(nowMs))
                        .setAccessKey(held.getAccessKey())
                        .setOp(new AgentLost(agentId))
                        .build();
                context.forward(new Record<>(held.getSessionId(), lost, nowMs));
            }
            strayTold.remove(agentId);
            dirty.add(agent.getScalingGroup());
        }
    }

    /**
     * Reconciliation: a kernel the agent runs but no live allocation puts there (its session ended,
     * or it was re-placed after the agent was thought lost) is told to stop, once.
     */
    private void stopStrays(AgentHeartbeat heartbeat, long nowMs) {
        String agentId = heartbeat.getAgentId();
        Set<String> told = strayTold.get(agentId);
        if (told != null) {
            told.retainAll(heartbeat.getKernels()); // the ones it stopped need no more memory
            if (told.isEmpty()) strayTold.remove(agentId);
        }
        for (String kernelId : heartbeat.getKernels()) {
            if (state.allocatedOn(kernelId, agentId)) continue;
            if (!strayTold.computeIfAbsent(agentId, a -> new HashSet<>()).add(kernelId)) continue;
            // no allocation names the session; the agent knows it from its own kernel
            context.forward(new Record<>(agentId, AgentCommand.newBuilder()
                    .setCommandId(kernelId + ":stray:" + agentId)
                    .setAgentId(agentId)
                    .setAt(Instant.ofEpochMilli(nowMs))
                    .setOp(new DestroyKernel(kernelId, "", NOT_ALLOCATED))
                    .build(), nowMs));
        }
    }

    /**
     * SCH-03: a session pending at least its group's timeout (counted from creation, AMB-11: admission
     * keeps the create's time) leaves the queue, and the lifecycle is asked to cancel it; it decides,
     * as for any destroy. Admission does the same for the sessions it holds.
     */
    private void cancelTimedOut(long nowMs) {
        List<SessionAdmitted> expired = new ArrayList<>();
        for (String group : state.groupsWithQueues()) {
            GroupOptions groupOptions = groups.of(group);
            for (SessionAdmitted admitted : state.queue(group)) {
                if (groupOptions.timedOut(admitted.getAt().toEpochMilli(), nowMs)) expired.add(admitted);
            }
        }
        for (SessionAdmitted admitted : expired) {
            state.dequeue(admitted.getSessionId());
            SessionRequest cancel = SessionRequest.newBuilder()
                    .setRequestId(admitted.getSessionId() + ":" + GroupSettings.PENDING_TIMEOUT)
                    .setSessionId(admitted.getSessionId())
                    .setAt(Instant.ofEpochMilli(nowMs))
                    .setAccessKey(admitted.getAccessKey())
                    .setOp(new DestroySession(false, GroupSettings.PENDING_TIMEOUT))
                    .build();
            context.forward(new Record<>(admitted.getSessionId(), cancel, nowMs));
        }
    }

    private void forgetOldEnded(long nowMs) {
        long cutoff = nowMs - options.get().endedRetention().toMillis();
        List<String> old = new ArrayList<>();
        try (var it = ended.all()) {
            while (it.hasNext()) {
                var entry = it.next();
                if (entry.value < cutoff) old.add(entry.key);
            }
        }
        old.forEach(ended::delete);
    }
}
