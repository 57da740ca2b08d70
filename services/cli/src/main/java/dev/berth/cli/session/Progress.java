package dev.berth.cli.session;

import dev.berth.cli.Durations;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * What --wait shows on stderr: a line per status change with the time since the create began and,
 * on a terminal, a spinner redrawn in place between them, so that a long PENDING visibly still waits.
 * Stdout stays for the result, so that {@code berth session create --wait --json | jq} works.
 */
final class Progress {

    private static final String FRAMES = "|/-\\";
    private static final Duration TICK = Duration.ofMillis(100);
    /** Back to the line's start, and erase it. */
    private static final String CLEAR_LINE = "\r\033[K";

    private final PrintWriter err;
    private final boolean terminal;
    private final Clock clock;
    private final Instant start;
    private String status = "";
    private int frame;
    private boolean spinning;

    Progress(PrintWriter err, boolean terminal, Clock clock, Instant start) {
        this.err = err;
        this.terminal = terminal;
        this.clock = clock;
        this.start = start;
    }

    void changed(SessionChange change) {
        done();
        status = change.status();
        err.println(line(change, elapsed()));
        err.flush();
    }

    /** Waits {@code length}, spinning on a terminal. */
    void pause(Duration length) throws InterruptedException {
        if (!terminal) {
            Thread.sleep(length.toMillis());
            return;
        }
        Instant until = clock.instant().plus(length);
        while (clock.instant().isBefore(until)) {
            err.print(CLEAR_LINE + spinner(frame++, status, elapsed()));
            err.flush();
            spinning = true;
            Thread.sleep(TICK.toMillis());
        }
    }

    /** Takes the spinner away, so that what follows starts on a clean line. */
    void done() {
        if (!spinning) return;
        err.print(CLEAR_LINE);
        err.flush();
        spinning = false;
    }

    /** {@code SCHEDULED      0.6s} and, with a reason, {@code TERMINATED     2.1s   self-terminated}. */
    static String line(SessionChange change, Duration elapsed) {
        String line = String.format(Locale.ROOT, "%-11s %7s", change.status(), Durations.elapsed(elapsed));
        return change.reason() == null ? line : line + "   " + change.reason();
    }

    static String spinner(int frame, String status, Duration elapsed) {
        return FRAMES.charAt(frame % FRAMES.length()) + " " + status + " " + Durations.elapsed(elapsed);
    }

    private Duration elapsed() {
        return Duration.between(start, clock.instant());
    }
}
