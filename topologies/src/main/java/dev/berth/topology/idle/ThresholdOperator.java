package dev.berth.topology.idle;

import java.util.Locale;

/**
 * How the utilization checker combines its metrics (IDL-19). The names are the original's and read
 * backwards: with AND a session is ended only when every metric is under its threshold, with OR
 * when any one is.
 */
public enum ThresholdOperator {
    AND, OR;

    public static ThresholdOperator parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "and" -> AND;
            case "or" -> OR;
            default -> throw new IllegalArgumentException("thresholds-check-operator must be and or or, got \"" + text + "\"");
        };
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
