package dev.berth.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a key's text (as stored in etcd, given on the API or in a seed file) becomes a typed value,
 * and back. {@link #parse} throws {@link IllegalArgumentException} with a sentence that does not
 * repeat the key: the caller names it.
 */
public interface ValueType<T> {

    T parse(String text);

    /** {@link #parse}, for a type whose check depends on the key's full name (a family member's). */
    default T parseFor(String key, String text) {
        return parse(text);
    }

    /** The canonical text of a value, as GET shows it and etcd stores it. */
    String format(T value);

    /** What the type accepts, for docs and problems, e.g. "a duration such as 500ms, 30s, 5m, 1h or 2d". */
    String describe();

    static ValueType<Duration> duration(Duration min) {
        return new Simple<>("a duration such as 500ms, 30s, 5m, 1h or 2d" + (min.isZero() ? "" : ", at least " + Durations.format(min)),
                text -> {
                    Duration value = Durations.parse(text);
                    if (value.compareTo(min) < 0) throw new IllegalArgumentException("must be at least " + Durations.format(min));
                    return value;
                }, Durations::format);
    }

    static ValueType<Integer> integer(int min, int max) {
        return new Simple<>("an integer from " + min + " to " + max, text -> {
            int value;
            try {
                value = Integer.parseInt(text.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("is not an integer");
            }
            if (value < min || value > max) throw new IllegalArgumentException("must be from " + min + " to " + max);
            return value;
        }, String::valueOf);
    }

    static ValueType<Boolean> bool() {
        return new Simple<>("true or false", text -> switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("must be true or false");
        }, String::valueOf);
    }

    /** One of {@code choices}, in any case; stored in lower case. */
    static ValueType<String> oneOf(List<String> choices) {
        return new Simple<>("one of " + String.join(", ", choices), text -> {
            String value = text.trim().toLowerCase(Locale.ROOT);
            if (!choices.contains(value)) throw new IllegalArgumentException("must be one of " + String.join(", ", choices));
            return value;
        }, Function.identity());
    }

    /** Text of at most {@code max} characters matching {@code shape}. */
    static ValueType<String> text(int max, Pattern shape, String description) {
        return new Simple<>(description, text -> {
            String value = text.trim();
            if (value.length() > max || !shape.matcher(value).matches()) throw new IllegalArgumentException("must be " + description);
            return value;
        }, Function.identity());
    }

    /** Text that {@code check} accepts (it throws otherwise), kept as written but trimmed. */
    static ValueType<String> checked(String description, java.util.function.Consumer<String> check) {
        return new Simple<>(description, text -> {
            String value = text.trim();
            check.accept(value);
            return value;
        }, Function.identity());
    }

    record Simple<T>(String describe, Function<String, T> parser, Function<T, String> formatter) implements ValueType<T> {
        @Override
        public T parse(String text) {
            if (text == null) throw new IllegalArgumentException("must not be empty");
            return parser.apply(text);
        }

        @Override
        public String format(T value) {
            return formatter.apply(value);
        }
    }

    /** Durations as Berth's settings write them: a number with ms, s, m, h or d; a plain number is seconds. */
    final class Durations {
        private static final Pattern FORM = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)?");

        private Durations() {}

        static Duration parse(String text) {
            Matcher m = FORM.matcher(text.trim());
            if (!m.matches()) throw new IllegalArgumentException("is not a duration such as 500ms, 30s, 5m, 1h or 2d");
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2) == null ? "s" : m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                case "d" -> Duration.ofDays(amount);
                default -> Duration.ofSeconds(amount);
            };
        }

        /** The largest unit that states the duration exactly: 15m, 90s, 1500ms, 0s. */
        static String format(Duration value) {
            long ms = value.toMillis();
            if (ms == 0) return "0s";
            if (ms % 86_400_000 == 0) return ms / 86_400_000 + "d";
            if (ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
            if (ms % 60_000 == 0) return ms / 60_000 + "m";
            if (ms % 1000 == 0) return ms / 1000 + "s";
            return ms + "ms";
        }
    }
}
