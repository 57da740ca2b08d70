package dev.berth.webhooks;

import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * One event owed to one receiver, as it is queued.
 *
 * @param id      the idempotency key ({@link DeliveryKeys#delivery})
 * @param version the session's version after the event; with {@code seq}, the order within the session
 * @param seq     which of the event's names this is (a batch session's end is terminated, then success or failure)
 * @param payload the body to POST
 */
public record Delivery(UUID id, Receiver receiver, String sessionId, String event, UUID eventId, long version, int seq,
                       JsonObject payload) {}
