package dev.berth.api.compat;

import io.vertx.core.json.JsonObject;

/**
 * The original API version Berth announces on {@code GET /}, which original clients read to pick
 * their dialect. v8 (of Backend.AI 24.09) means: {@code /session} paths with session ids (v5+),
 * {@code cluster_size} and {@code cluster_mode} at the root of a create (v6+), request bodies never
 * hashed into signatures (v4.20181215+), {@code /admin/graphql} answering the data object itself.
 * The major version stays one digit: the original JavaScript client reads only its first character.
 */
final class Dialect {

    static final String API_VERSION = "v8.20240915";
    /** The manager release whose API this is; clients compare it for features such as avoid-hol-blocking (20.09.16+). */
    static final String MANAGER_VERSION = "24.09.0";

    private Dialect() {}

    static JsonObject handshake() {
        return new JsonObject().put("version", API_VERSION).put("manager", MANAGER_VERSION);
    }
}
