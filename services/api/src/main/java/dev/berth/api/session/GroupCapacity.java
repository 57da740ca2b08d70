package dev.berth.api.session;

import dev.berth.api.problem.ProblemException;
import dev.berth.api.resource.AgentView;
import dev.berth.schema.Slots;
import dev.berth.schema.avro.ClusterMode;
import dev.berth.schema.avro.SessionSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * Refuses a create that its scaling group could never place, whatever else runs there: kernels larger than every
 * agent, or more kernels than the agents could hold (SCH-13/14). It weighs capacities, not free room, with the
 * same fit as placement (a slot an agent lacks counts as zero), so it never refuses what placement could place.
 * Unschedulable agents count too: an admin may make them schedulable again. A pure function, tested without a server.
 */
public final class GroupCapacity {

    private static final long GIB = 1L << 30;
    private static final long MIB = 1L << 20;

    private GroupCapacity() {}

    /**
     * @param spec the planned spec: its scaling group, per-kernel resources, cluster mode and size
     * @param live the live agents of every scaling group
     * @throws ProblemException invalid-api-params naming {@code resources.<slot>} or {@code clusterSize}
     */
    public static void requireCouldHold(SessionSpec spec, List<AgentView.Agent> live) {
        String group = spec.getScalingGroup();
        List<AgentView.Agent> agents = live.stream().filter(agent -> agent.scalingGroup().equals(group))
                .sorted(Comparator.comparing(AgentView.Agent::agentId)).toList();
        // no live agent in the group: accept, the session waits PENDING and agents may join later
        if (agents.isEmpty()) return;
        Map<String, Long> perKernel = spec.getResources();
        AgentView.Agent largest = agents.stream().max(Comparator.comparingLong((AgentView.Agent agent) -> kernels(agent, perKernel))
                .thenComparing(AgentView.Agent::agentId, Comparator.reverseOrder())).orElseThrow();
        long most = kernels(largest, perKernel);
        if (most == 0) throw tooLarge(group, perKernel, agents);

        int size = spec.getClusterSize();
        if (spec.getClusterMode() == ClusterMode.MULTI_NODE) {
            long all = agents.stream().mapToLong(agent -> kernels(agent, perKernel)).reduce(0, GroupCapacity::saturatedSum);
            if (all < size) {
                throw ProblemException.invalid("clusterSize " + size + " in multi-node mode is more kernels of " + text(perKernel)
                        + " than the " + agents.size() + " agent(s) of scaling group \"" + group + "\" can hold by capacity, " + all
                        + " in all; the largest, " + largest.agentId() + ", has capacity " + text(largest.capacity()) + ", room for " + most);
            }
        } else if (most < size) {
            throw ProblemException.invalid("clusterSize " + size + " in single-node mode needs one agent with "
                    + text(Slots.combine(Map.of(), perKernel, size)) + ", more than any agent of scaling group \"" + group
                    + "\" can hold; the largest, " + largest.agentId() + ", has capacity " + text(largest.capacity())
                    + ", room for " + most + " kernel(s)");
        }
    }

    /** How many kernels of {@code perKernel} the agent's capacity holds at once; unbounded when the kernel asks nothing. */
    static long kernels(AgentView.Agent agent, Map<String, Long> perKernel) {
        long count = Long.MAX_VALUE;
        for (Map.Entry<String, Long> slot : perKernel.entrySet()) {
            if (slot.getValue() <= 0) continue;
            count = Math.min(count, Math.max(0, agent.capacity().getOrDefault(slot.getKey(), 0L)) / slot.getValue());
        }
        return count;
    }

    /** One kernel fits no agent: the slots above every agent's capacity, or else the agent that comes closest. */
    private static ProblemException tooLarge(String group, Map<String, Long> perKernel, List<AgentView.Agent> agents) {
        StringJoiner above = new StringJoiner("; ");
        for (Map.Entry<String, Long> slot : new TreeMap<>(perKernel).entrySet()) {
            AgentView.Agent most = agents.stream().max(Comparator.comparingLong((AgentView.Agent agent) -> capacity(agent, slot.getKey()))
                    .thenComparing(AgentView.Agent::agentId, Comparator.reverseOrder())).orElseThrow();
            long largest = capacity(most, slot.getKey());
            if (slot.getValue() > largest) {
                above.add("resources." + slot.getKey() + " " + text(slot.getKey(), slot.getValue()) + " is above the capacity of every agent"
                        + " of scaling group \"" + group + "\": the largest, " + most.agentId() + ", has " + text(slot.getKey(), largest));
            }
        }
        if (above.length() > 0) return ProblemException.invalid(above.toString());
        AgentView.Agent closest = agents.stream().min(Comparator.comparingInt((AgentView.Agent agent) -> shortOf(agent, perKernel).size())
                .thenComparing(AgentView.Agent::agentId)).orElseThrow();
        return ProblemException.invalid("resources " + text(perKernel) + " per kernel fit no single agent of scaling group \"" + group
                + "\" by capacity; the closest, " + closest.agentId() + ", has capacity " + text(closest.capacity()) + ", short of "
                + String.join(", ", shortOf(closest, perKernel).stream().map(slot -> "resources." + slot).toList()));
    }

    private static List<String> shortOf(AgentView.Agent agent, Map<String, Long> perKernel) {
        List<String> missing = new ArrayList<>();
        new TreeMap<>(perKernel).forEach((slot, amount) -> {
            if (amount > capacity(agent, slot)) missing.add(slot);
        });
        return missing;
    }

    private static long capacity(AgentView.Agent agent, String slot) {
        return Math.max(0, agent.capacity().getOrDefault(slot, 0L));
    }

    private static long saturatedSum(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private static String text(Map<String, Long> slots) {
        StringJoiner out = new StringJoiner(", ", "{", "}");
        new TreeMap<>(slots).forEach((slot, amount) -> out.add(slot + "=" + text(slot, amount)));
        return out.toString();
    }

    /** As a client would write it: sizes in g or m when whole, other slots as decimals. */
    private static String text(String slot, long amount) {
        if (!Slots.isBytes(slot)) return Slots.present(slot, amount).toString();
        if (amount != 0 && amount % GIB == 0) return amount / GIB + "g";
        if (amount != 0 && amount % MIB == 0) return amount / MIB + "m";
        return Long.toString(amount);
    }
}
