package dev.berth.cli;

/** A failure the user can act on: printed as {@code berth: <message>} on stderr, exit status 1, no stack trace. */
public class CliFailure extends RuntimeException {

    public CliFailure(String message) {
        super(message, null, false, false);
    }
}
