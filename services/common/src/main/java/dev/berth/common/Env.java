package dev.berth.common;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/** Typed reads of BERTH_* settings with errors that name the setting; parsed once at start. */
public final class Env {

    private final Map<String, String> values;

    public Env(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public static Env system() {
        return new Env(System.getenv());
    }

    /** These settings with {@code overrides} in place of the ones they name. */
    public Env with(Map<String, String> overrides) {
        Map<String, String> merged = new java.util.HashMap<>(values);
        merged.putAll(overrides);
        return new Env(merged);
    }

    public String string(String key, String fallback) {
        String value = values.get(key);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    public int integer(String key, int fallback, int min, int max) {
        String value = values.get(key);
        if (value == null || value.isBlank()) return fallback;
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed < min || parsed > max) throw new NumberFormatException();
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer in [" + min + ", " + max + "], got \"" + value + "\"");
        }
    }

    /** {@code true} or {@code false}, in any case; anything else is an error naming the setting. */
    public boolean bool(String key, boolean fallback) {
        String value = values.get(key);
        if (value == null || value.isBlank()) return fallback;
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + " must be true or false, got \"" + value + "\"");
        };
    }

    public Duration duration(String key, Duration fallback) {
        String value = values.get(key);
        if (value == null || value.isBlank()) return fallback;
        String text = value.trim();
        try {
            if (text.endsWith("ms")) return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            if (text.endsWith("s")) return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
            if (text.endsWith("m")) return Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
            if (text.endsWith("h")) return Duration.ofHours(Long.parseLong(text.substring(0, text.length() - 1)));
            return Duration.ofSeconds(Long.parseLong(text));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a duration such as 500ms, 30s, 5m or 1h, got \"" + value + "\"");
        }
    }

    public Path path(String key, Path fallback) {
        String value = values.get(key);
        return value == null || value.isBlank() ? fallback : Path.of(value.trim());
    }
}
