package dev.berth.api.auth;

import io.vertx.ext.web.RoutingContext;

/**
 * Who signed the request: the keypair and its user, as the database says now.
 *
 * @param resourcePolicy the keypair resource policy's name
 * @param rateLimit      requests allowed per rate window
 */
public record Principal(String accessKey, String userId, String email, String domain, Role role,
                        String resourcePolicy, int rateLimit) {

    private static final String KEY = "berth.principal";

    public void attachTo(RoutingContext ctx) {
        ctx.put(KEY, this);
    }

    /** The authenticated caller; every /v1 route but health runs after the authenticator. */
    public static Principal of(RoutingContext ctx) {
        Principal principal = ctx.get(KEY);
        if (principal == null) throw new IllegalStateException("no principal on " + ctx.request().path() + ": route registered outside /v1?");
        return principal;
    }

    public static Principal orNull(RoutingContext ctx) {
        return ctx.get(KEY);
    }
}
