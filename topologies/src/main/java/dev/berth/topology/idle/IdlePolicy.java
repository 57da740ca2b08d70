package dev.berth.topology.idle;

import dev.berth.schema.avro.ResourceLimits;

/**
 * What a keypair resource policy says about idleness (IDL-22): {@code idleTimeoutSeconds} negative
 * means "use the checker's own default", 0 means never; {@code maxLifetimeSeconds} 0 means no limit.
 * A keypair without a policy takes the checkers' defaults and no lifetime limit.
 */
public record IdlePolicy(long idleTimeoutSeconds, long maxLifetimeSeconds) {

    public static final IdlePolicy NONE = new IdlePolicy(-1, 0);

    public static IdlePolicy of(ResourceLimits limits) {
        return limits == null ? NONE : new IdlePolicy(limits.getIdleTimeoutSeconds(), limits.getMaxSessionLifetimeSeconds());
    }
}
