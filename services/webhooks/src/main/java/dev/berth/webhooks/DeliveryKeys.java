package dev.berth.webhooks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Ids derived from what they name, so that every replay of session.events gives the same ones:
 * name-based UUIDs (version 8, from SHA-256, as RFC 9562 allows) of the parts joined by newlines.
 */
public final class DeliveryKeys {

    private DeliveryKeys() {}

    /** The idempotency key of one event's delivery to one receiver; the primary key of its row. */
    public static UUID delivery(String receiver, String sessionId, long version, String event) {
        return named("berth-webhook-delivery\n" + receiver + "\n" + sessionId + "\n" + version + "\n" + event);
    }

    /** One event of one session, the same for every receiver. */
    public static UUID event(String sessionId, long version, String event) {
        return named("berth-session-event\n" + sessionId + "\n" + version + "\n" + event);
    }

    private static UUID named(String name) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x80);   // version 8
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);   // the RFC 9562 variant
        ByteBuffer bytes = ByteBuffer.wrap(hash, 0, 16);
        return new UUID(bytes.getLong(), bytes.getLong());
    }
}
