package dev.berth.agent.runtime;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a runtime writes next to a kernel (container labels, a file beside a process) so that a
 * restarted agent knows it again: whose it is, its place in the session, the slots it holds. The
 * command, bootstrap script and environment are not kept: a recovered kernel is only watched and stopped.
 */
public final class KernelLabels {

    public static final String AGENT = "dev.berth.agent";
    public static final String KERNEL = "dev.berth.kernel";
    public static final String SESSION = "dev.berth.session";
    static final String SESSION_TYPE = "dev.berth.session-type";
    static final String IMAGE = "dev.berth.image";
    static final String ROLE = "dev.berth.cluster-role";
    static final String IDX = "dev.berth.cluster-idx";
    static final String HOSTNAME = "dev.berth.cluster-hostname";
    static final String HOSTS = "dev.berth.cluster-hosts";
    static final String RESOURCES = "dev.berth.resources";

    private KernelLabels() {}

    public static Map<String, String> of(String agentId, KernelSpec spec) {
        Map<String, String> labels = new TreeMap<>();
        labels.put(AGENT, agentId);
        labels.put(KERNEL, spec.kernelId());
        labels.put(SESSION, spec.sessionId());
        labels.put(SESSION_TYPE, spec.sessionType());
        labels.put(IMAGE, spec.image() == null ? "" : spec.image());
        labels.put(ROLE, spec.clusterRole());
        labels.put(IDX, Integer.toString(spec.clusterIdx()));
        labels.put(HOSTNAME, spec.clusterHostname());
        labels.put(HOSTS, String.join(",", spec.clusterHosts()));
        labels.put(RESOURCES, resources(spec.resources()));
        return labels;
    }

    /** The spec the labels describe; empty when they are not a complete set (not a kernel of Berth's). */
    public static Optional<KernelSpec> spec(Map<String, String> labels) {
        try {
            List<String> hosts = labels.get(HOSTS).isEmpty() ? List.of() : Arrays.asList(labels.get(HOSTS).split(","));
            return Optional.of(new KernelSpec(labels.get(KERNEL), labels.get(SESSION), labels.get(SESSION_TYPE),
                    labels.get(IMAGE), null, null, Map.of(), resources(labels.get(RESOURCES)), labels.get(ROLE),
                    Integer.parseInt(labels.get(IDX)), labels.get(HOSTNAME), Math.max(1, hosts.size()), hosts));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    static String resources(Map<String, Long> resources) {
        StringBuilder out = new StringBuilder();
        new TreeMap<>(resources).forEach((slot, amount) -> {
            if (!out.isEmpty()) out.append(',');
            out.append(slot).append('=').append(amount);
        });
        return out.toString();
    }

    static Map<String, Long> resources(String text) {
        Map<String, Long> out = new HashMap<>();
        if (text.isEmpty()) return out;
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            out.put(pair.substring(0, eq), Long.parseLong(pair.substring(eq + 1)));
        }
        return out;
    }
}
