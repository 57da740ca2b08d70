package dev.berth.topology;

/**
 * A record that decodes but cannot be acted on (a negative resource, an unknown op). Thrown from a
 * processor, it sends the record to the dead-letter topic with this message, and the stream goes on.
 */
public final class RejectedRecordException extends RuntimeException {

    public RejectedRecordException(String reason) {
        super(reason, null, false, false);
    }
}
