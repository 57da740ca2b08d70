package dev.berth.cli;

import java.time.Duration;
import java.util.Locale;

/** Durations at the precision a table needs: {@code 45s}, {@code 12m}, {@code 5h}, {@code 3d}; and {@code 8m32s} for countdowns. */
public final class Durations {

    private Durations() {}

    /** How old something is, in its largest whole unit (a session's AGE). */
    public static String age(Duration age) {
        long seconds = Math.max(0, age.toSeconds());
        if (seconds < 60) return seconds + "s";
        if (seconds < 3600) return seconds / 60 + "m";
        if (seconds < 48 * 3600) return seconds / 3600 + "h";
        return seconds / 86400 + "d";
    }

    /** A time left, to the second: {@code 2h5m0s}, {@code 8m32s}, {@code 9s}. */
    public static String remaining(Duration left) {
        long seconds = Math.max(0, left.toSeconds());
        StringBuilder text = new StringBuilder();
        if (seconds >= 86400) text.append(seconds / 86400).append('d');
        if (seconds >= 3600) text.append(seconds % 86400 / 3600).append('h');
        if (seconds >= 60) text.append(seconds % 3600 / 60).append('m');
        return text.append(seconds % 60).append('s').toString();
    }

    /** Elapsed time while waiting, to a tenth of a second: {@code 3.4s}. */
    public static String elapsed(Duration elapsed) {
        return String.format(Locale.ROOT, "%.1fs", elapsed.toMillis() / 1000.0);
    }
}
