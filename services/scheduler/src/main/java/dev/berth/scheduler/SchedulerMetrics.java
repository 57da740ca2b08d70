package dev.berth.scheduler;

import dev.berth.topology.SchedulerObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scheduler's own metrics, fed by its stream threads: placements and queue length per scaling
 * group, admissions, lost agents, and the ledger's drift from what agents report. Drift series exist
 * only for agents that drifted at least once, so a healthy fleet of thousands adds none.
 */
final class SchedulerMetrics implements SchedulerObserver {

    private final MeterRegistry registry;
    private final Map<String, Counter> placements = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> queues = new ConcurrentHashMap<>();
    /** Per agent that ever drifted, its gauges by slot. */
    private final Map<String, Map<String, AtomicLong>> drifts = new ConcurrentHashMap<>();
    private final Map<String, Boolean> drifting = new ConcurrentHashMap<>();
    private final Counter lost;
    private final Counter admitted;
    private final Counter waiting;

    SchedulerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.lost = Counter.builder("berth.agents.lost").description("Agents declared lost after falling silent").register(registry);
        this.admitted = Counter.builder("berth.admission").tag("outcome", "admitted").description("Sessions let through admission").register(registry);
        this.waiting = Counter.builder("berth.admission").tag("outcome", "waiting").description("Sessions kept waiting by a predicate").register(registry);
        Gauge.builder("berth.ledger.drifting.agents", drifting, Map::size)
                .description("Agents whose own count of occupied slots differs from the ledger's").register(registry);
    }

    @Override
    public void placed(String group, int sessions) {
        placements.computeIfAbsent(group, g -> Counter.builder("berth.placements").tag("group", g)
                .description("Sessions placed").register(registry)).increment(sessions);
    }

    @Override
    public void queued(String group, int sessions) {
        queues.computeIfAbsent(group, g -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("berth.pending.sessions", value, AtomicLong::get).tag("group", g)
                    .description("Sessions waiting for placement").register(registry);
            return value;
        }).set(sessions);
    }

    @Override
    public void drift(String agentId, Map<String, Long> drift) {
        if (drift.isEmpty() && !drifting.containsKey(agentId)) return;
        if (drift.isEmpty()) drifting.remove(agentId);
        else drifting.put(agentId, true);
        // every slot this agent ever drifted in keeps its series, and goes back to 0 when it agrees again
        Map<String, AtomicLong> slots = drifts.computeIfAbsent(agentId, agent -> new ConcurrentHashMap<>());
        drift.forEach((slot, amount) -> gauge(slots, agentId, slot).set(amount));
        slots.forEach((slot, value) -> {
            if (!drift.containsKey(slot)) value.set(0);
        });
    }

    private AtomicLong gauge(Map<String, AtomicLong> slots, String agentId, String slot) {
        return slots.computeIfAbsent(slot, key -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("berth.ledger.drift", value, AtomicLong::get).tags("agent", agentId, "slot", slot)
                    .description("Agent-reported occupied slots minus the ledger's (mem in bytes, others in thousandths)")
                    .register(registry);
            return value;
        });
    }

    @Override
    public void agentLost(String agentId) {
        lost.increment();
    }

    @Override
    public void admission(boolean wasAdmitted) {
        (wasAdmitted ? admitted : waiting).increment();
    }
}
