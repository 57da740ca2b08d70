package dev.berth.topology.admission;

import dev.berth.schema.avro.ResourceLimits;
import dev.berth.schema.avro.ScalingGroupConfig;

/**
 * The configuration admission checks against, as published on the compacted config topics.
 * A missing entry means no limit: a fresh stack runs before any policy exists.
 */
public interface Policies {

    /** The resource policy of the keypair (its named keypair policy), or null. */
    ResourceLimits keypair(String accessKey);

    /** Whether the keypair may have sessions admitted; a keypair not published (yet) may. */
    boolean keypairActive(String accessKey);

    ResourceLimits user(String userId);

    ResourceLimits project(String project);

    ResourceLimits domain(String domain);

    ScalingGroupConfig scalingGroup(String name);

    /** Key of a scope's limits on {@code config.limits}. */
    static String limitsKey(String scope, String id) {
        return scope + ":" + id;
    }

    String KEYPAIR_POLICY = "keypair-policy";
    String USER = "user";
    String PROJECT = "project";
    String DOMAIN = "domain";
}
