package dev.berth.topology.admission;

import dev.berth.schema.KernelIds;
import dev.berth.schema.avro.ClusterMode;
import dev.berth.schema.avro.LimitScope;
import dev.berth.schema.avro.ResourceLimits;
import dev.berth.schema.avro.ScalingGroupConfig;
import dev.berth.schema.avro.SessionAdmitted;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionType;
import dev.berth.schema.avro.UnspecifiedSlots;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Policies and candidates for admission tests. */
final class PolicyFixtures {

    static final long GIB = 1L << 30;

    private PolicyFixtures() {}

    /** Policies held in maps, keyed as on config.limits. */
    static final class MapPolicies implements Policies {
        final Map<String, String> keypairPolicy = new HashMap<>();
        final Map<String, ResourceLimits> limits = new HashMap<>();
        final Map<String, ScalingGroupConfig> groups = new HashMap<>();
        final java.util.Set<String> inactiveKeypairs = new java.util.HashSet<>();

        @Override
        public ResourceLimits keypair(String accessKey) {
            return limits.get(Policies.limitsKey(KEYPAIR_POLICY, keypairPolicy.getOrDefault(accessKey, "default")));
        }

        @Override
        public boolean keypairActive(String accessKey) {
            return !inactiveKeypairs.contains(accessKey);
        }

        @Override
        public ResourceLimits user(String userId) {
            return limits.get(Policies.limitsKey(USER, userId));
        }

        @Override
        public ResourceLimits project(String project) {
            return limits.get(Policies.limitsKey(PROJECT, project));
        }

        @Override
        public ResourceLimits domain(String domain) {
            return limits.get(Policies.limitsKey(DOMAIN, domain));
        }

        @Override
        public ScalingGroupConfig scalingGroup(String name) {
            return groups.get(name);
        }
    }

    static ResourceLimits limits(LimitScope scope, String id, Map<String, Long> slots, UnspecifiedSlots unspecified, int maxSessions) {
        return ResourceLimits.newBuilder()
                .setScope(scope)
                .setId(id)
                .setTotalResourceSlots(slots)
                .setDefaultForUnspecified(unspecified)
                .setMaxConcurrentSessions(maxSessions)
                .build();
    }

    static ScalingGroupConfig group(String name, List<SessionType> allowed) {
        return ScalingGroupConfig.newBuilder().setName(name).setAllowedSessionTypes(allowed).build();
    }

    static SessionSpec.Builder spec(long cpu, long mem) {
        return SessionSpec.newBuilder()
                .setName("s")
                .setImage("python:3")
                .setSessionType(SessionType.INTERACTIVE)
                .setClusterMode(ClusterMode.SINGLE_NODE)
                .setClusterSize(1)
                .setResources(Map.of("cpu", cpu, "mem", mem))
                .setUserId("u1")
                .setProject("p1")
                .setDomain("d1");
    }

    static SessionAdmitted candidate(String sessionId, String accessKey, SessionSpec spec, long at) {
        return SessionAdmitted.newBuilder()
                .setSessionId(sessionId)
                .setAccessKey(accessKey)
                .setAt(Instant.ofEpochMilli(at))
                .setSpec(spec)
                .setKernelIds(java.util.stream.IntStream.range(0, spec.getClusterSize()).mapToObj(i -> KernelIds.of(sessionId, i)).toList())
                .build();
    }
}
