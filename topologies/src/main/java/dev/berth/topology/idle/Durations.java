package dev.berth.topology.idle;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as the original's configuration writes them: plain seconds, or a number with s, m, h, d or w. */
public final class Durations {

    private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(s|m|h|d|w)?");

    private Durations() {}

    public static Duration parse(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) throw new IllegalArgumentException("not a duration (e.g. 90, 30s, 10m, 2h, 3d, 1w)");
        double amount = Double.parseDouble(m.group(1));
        long unitSeconds = switch (m.group(2) == null ? "s" : m.group(2)) {
            case "m" -> 60;
            case "h" -> 3600;
            case "d" -> 86_400;
            case "w" -> 604_800;
            default -> 1;
        };
        return Duration.ofMillis(Math.round(amount * unitSeconds * 1000));
    }
}
