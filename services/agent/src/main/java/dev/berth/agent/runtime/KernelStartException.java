package dev.berth.agent.runtime;

/** A kernel could not be started; the message says why, in words fit for the session's error detail. */
public final class KernelStartException extends Exception {

    public KernelStartException(String message, Throwable cause) {
        super(message, cause);
    }

    public KernelStartException(String message) {
        super(message);
    }
}
