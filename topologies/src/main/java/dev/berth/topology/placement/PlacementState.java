package dev.berth.topology.placement;

import dev.berth.schema.Slots;
import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.schema.avro.KernelBinding;
import dev.berth.schema.avro.SessionAdmitted;
import dev.berth.schema.avro.SessionPlaced;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A task's placement state in memory, grouped by scaling group, written through to its stores
 * (whose changelogs keep it durable) and rebuilt from them when the task starts. A pass reads only
 * memory: nothing is decoded on the hot path.
 */
final class PlacementState {

    private final KeyValueStore<String, SessionAdmitted> queueStore;
    private final KeyValueStore<String, AgentHeartbeat> agentStore;
    private final KeyValueStore<String, SessionPlaced> allocationStore;

    private final Map<String, Map<String, SessionAdmitted>> queues = new HashMap<>();
    private final Map<String, Map<String, AgentHeartbeat>> agents = new HashMap<>();
    private final Map<String, AgentHeartbeat> agentsById = new HashMap<>();
    private final Map<String, String> queuedIn = new HashMap<>();
    private final Map<String, SessionPlaced> allocations = new HashMap<>();
    /** Kernel id to the agent its live allocation is on. */
    private final Map<String, String> kernelAgents = new HashMap<>();
    /** Placement retries of queued sessions since they were last saved to the queue store. */
    private final Map<String, Integer> retries = new HashMap<>();
    /** Per agent, the sum of its live allocations: free = capacity − used. */
    private final Map<String, Map<String, Long>> used = new HashMap<>();
    /**
     * Per group, each agent's view in agent id order, kept up to date as agents, allocations and
     * releases change it, so that a pass builds nothing for the agents that did not change.
     */
    private final Map<String, TreeMap<String, AgentView>> views = new HashMap<>();

    PlacementState(KeyValueStore<String, SessionAdmitted> queueStore, KeyValueStore<String, AgentHeartbeat> agentStore,
                   KeyValueStore<String, SessionPlaced> allocationStore) {
        this.queueStore = queueStore;
        this.agentStore = agentStore;
        this.allocationStore = allocationStore;
        try (var it = queueStore.all()) {
            while (it.hasNext()) remember(it.next().value);
        }
        try (var it = agentStore.all()) {
            while (it.hasNext()) rememberAgent(it.next().value);
        }
        try (var it = allocationStore.all()) {
            while (it.hasNext()) rememberAllocation(it.next().value);
        }
    }

    /** Whether the session waits in a queue or holds an allocation. */
    boolean holds(String sessionId) {
        return allocations.containsKey(sessionId) || queuedIn.containsKey(sessionId);
    }

    void enqueue(SessionAdmitted admitted) {
        queueStore.put(admitted.getSessionId(), admitted);
        remember(admitted);
    }

    /** Removes a queued session, if queued; returns it or null. */
    SessionAdmitted dequeue(String sessionId) {
        String group = queuedIn.remove(sessionId);
        if (group == null) return null;
        retries.remove(sessionId);
        queueStore.delete(sessionId);
        return queues.get(group).remove(sessionId);
    }

    /** One more failed pass for a queued session; returns its retries so far. */
    int countRetry(String sessionId) {
        SessionAdmitted admitted = queues.get(queuedIn.get(sessionId)).get(sessionId);
        return retries.merge(sessionId, admitted.getRetries() + 1, (a, b) -> a + 1);
    }

    /** Writes the retry count to the store, so that a restart goes on counting from it. */
    void saveRetries(String sessionId) {
        Integer count = retries.remove(sessionId);
        if (count == null) return;
        Map<String, SessionAdmitted> queue = queues.get(queuedIn.get(sessionId));
        SessionAdmitted saved = SessionAdmitted.newBuilder(queue.get(sessionId)).setRetries(count).build();
        queue.put(sessionId, saved);
        queueStore.put(sessionId, saved);
    }

    /** The retries of a queued session, counted or saved. */
    int retries(SessionAdmitted admitted) {
        Integer counted = retries.get(admitted.getSessionId());
        return counted != null ? counted : admitted.getRetries();
    }

    /** Whether a live allocation puts this kernel on this agent. */
    boolean allocatedOn(String kernelId, String agentId) {
        return agentId.equals(kernelAgents.get(kernelId));
    }

    /**
     * The agent's own count of its occupied slots minus the ledger's, for the slots where they
     * differ. Kernels starting or stopping make it briefly non-zero; a lasting difference is a leak.
     */
    Map<String, Long> drift(AgentHeartbeat heartbeat) {
        Map<String, Long> held = used.getOrDefault(heartbeat.getAgentId(), Map.of());
        Map<String, Long> drift = Slots.combine(heartbeat.getOccupied(), held, -1);
        drift.values().removeIf(amount -> amount == 0);
        return drift;
    }

    /** Agents whose last heartbeat is older than the cutoff. */
    List<AgentHeartbeat> silentAgents(long cutoffMs) {
        List<AgentHeartbeat> silent = new ArrayList<>();
        for (AgentHeartbeat agent : agentsById.values()) {
            if (agent.getAt().toEpochMilli() < cutoffMs) silent.add(agent);
        }
        return silent;
    }

    /** Forgets an agent and releases every session with a kernel on it; returns those sessions. */
    List<SessionPlaced> removeAgent(String agentId) {
        AgentHeartbeat agent = agentsById.remove(agentId);
        if (agent == null) return List.of();
        agentStore.delete(agentId);
        agents.get(agent.getScalingGroup()).remove(agentId);
        views.get(agent.getScalingGroup()).remove(agentId);
        List<String> affected = new ArrayList<>();
        for (SessionPlaced placed : allocations.values()) {
            for (KernelBinding binding : placed.getBindings()) {
                if (binding.getAgentId().equals(agentId)) {
                    affected.add(placed.getSessionId());
                    break;
                }
            }
        }
        List<SessionPlaced> released = new ArrayList<>(affected.size());
        for (String sessionId : affected) released.add(release(sessionId));
        used.remove(agentId);
        return released;
    }

    /** The group's queue in arrival order of admission. */
    Collection<SessionAdmitted> queue(String group) {
        return queues.getOrDefault(group, Map.of()).values();
    }

    Collection<String> groupsWithQueues() {
        return queues.keySet();
    }

    /**
     * Records a heartbeat; returns whether it changes what placement may decide: a new agent, one
     * back from silence, or a change of capacity, schedulability, architecture or group.
     */
    boolean putAgent(AgentHeartbeat heartbeat, Duration staleAfter) {
        AgentHeartbeat before = agentsById.get(heartbeat.getAgentId());
        agentStore.put(heartbeat.getAgentId(), heartbeat);
        rememberAgent(heartbeat);
        return before == null
                || heartbeat.getAt().toEpochMilli() - before.getAt().toEpochMilli() > staleAfter.toMillis()
                || before.getSchedulable() != heartbeat.getSchedulable()
                || !before.getCapacity().equals(heartbeat.getCapacity())
                || !before.getArchitecture().equals(heartbeat.getArchitecture())
                || !before.getScalingGroup().equals(heartbeat.getScalingGroup());
    }

    /** The group's agents in agent id order. */
    List<AgentView> agentViews(String group) {
        TreeMap<String, AgentView> members = views.get(group);
        return members == null ? List.of() : List.copyOf(members.values());
    }

    /** Brings one agent's view up to date, after its heartbeat or a change of what it holds. */
    private void refreshView(String agentId) {
        AgentHeartbeat agent = agentsById.get(agentId);
        if (agent == null) return;
        Map<String, Long> held = used.get(agentId);
        Map<String, Long> free = held == null ? agent.getCapacity() : Slots.combine(agent.getCapacity(), held, -1);
        views.computeIfAbsent(agent.getScalingGroup(), group -> new TreeMap<>()).put(agentId, new AgentView(agentId,
                agent.getArchitecture(), agent.getSchedulable(), agent.getAt().toEpochMilli(), agent.getCapacity(), free));
    }

    /** Every live kernel allocation in the group, for policies that weigh who holds what. */
    List<Allocation> allocations(String group) {
        List<Allocation> out = new ArrayList<>();
        for (SessionPlaced placed : allocations.values()) {
            if (!placed.getScalingGroup().equals(group)) continue;
            for (KernelBinding binding : placed.getBindings()) {
                out.add(new Allocation(placed.getAccessKey(), binding.getAgentId(), binding.getSlots()));
            }
        }
        return out;
    }

    void allocate(SessionPlaced placed) {
        allocationStore.put(placed.getSessionId(), placed);
        rememberAllocation(placed);
    }

    /** Gives a session's allocation back; returns it, or null when it held none. */
    SessionPlaced release(String sessionId) {
        SessionPlaced held = allocations.remove(sessionId);
        if (held == null) return null;
        allocationStore.delete(sessionId);
        for (KernelBinding binding : held.getBindings()) {
            kernelAgents.remove(binding.getKernelId());
            used.computeIfPresent(binding.getAgentId(), (agent, slots) -> Slots.combine(slots, binding.getSlots(), -1));
        }
        for (KernelBinding binding : held.getBindings()) refreshView(binding.getAgentId());
        return held;
    }

    private void remember(SessionAdmitted admitted) {
        queuedIn.put(admitted.getSessionId(), admitted.getSpec().getScalingGroup());
        queues.computeIfAbsent(admitted.getSpec().getScalingGroup(), group -> new LinkedHashMap<>())
                .put(admitted.getSessionId(), admitted);
    }

    private void rememberAgent(AgentHeartbeat heartbeat) {
        AgentHeartbeat before = agentsById.put(heartbeat.getAgentId(), heartbeat);
        if (before != null) { // it may have moved
            agents.get(before.getScalingGroup()).remove(heartbeat.getAgentId());
            views.get(before.getScalingGroup()).remove(heartbeat.getAgentId());
        }
        agents.computeIfAbsent(heartbeat.getScalingGroup(), group -> new HashMap<>()).put(heartbeat.getAgentId(), heartbeat);
        refreshView(heartbeat.getAgentId());
    }

    private void rememberAllocation(SessionPlaced placed) {
        allocations.put(placed.getSessionId(), placed);
        for (KernelBinding binding : placed.getBindings()) {
            kernelAgents.put(binding.getKernelId(), binding.getAgentId());
            used.merge(binding.getAgentId(), binding.getSlots(), (a, b) -> Slots.combine(a, b, 1));
        }
        for (KernelBinding binding : placed.getBindings()) refreshView(binding.getAgentId());
    }
}
