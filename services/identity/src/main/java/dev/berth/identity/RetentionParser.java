package dev.berth.identity;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * History retention as USG-06 writes it ({@code mgr clear-history -r <retention>}): a whole
 * number followed by {@code m} (minutes), {@code h}, {@code d}, {@code w}, {@code mo} (months) or
 * {@code yr} (years), or a plain number of seconds. A month is 30 days and a year 365 days, since a
 * retention is a fixed {@link Duration}, not a calendar offset. Zero, negative, fractional and
 * unknown forms are refused.
 */
public final class RetentionParser {

    private static final Pattern FORMAT = Pattern.compile("([0-9]{1,18})(m|h|d|w|mo|yr)?");
    private static final String FORMATS = "use <n>m, <n>h, <n>d, <n>w, <n>mo, <n>yr or plain seconds, for example 30m, 6h, 3d, 2w, 3mo, 1yr or 86400";

    private RetentionParser() {}

    /**
     * The retention {@code text} stands for.
     *
     * @throws IllegalArgumentException naming the text and the accepted forms, when it is none of them
     */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("retention is empty: " + FORMATS);
        Matcher matcher = FORMAT.matcher(text.strip());
        if (!matcher.matches()) throw new IllegalArgumentException("retention \"" + text + "\" is not understood: " + FORMATS);
        long amount = Long.parseLong(matcher.group(1));
        if (amount == 0) throw new IllegalArgumentException("retention \"" + text + "\" must be longer than zero");
        String unit = matcher.group(2);
        try {
            return unit == null ? Duration.ofSeconds(amount) : switch (unit) {
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                case "d" -> Duration.ofDays(amount);
                case "w" -> Duration.ofDays(Math.multiplyExact(amount, 7));
                case "mo" -> Duration.ofDays(Math.multiplyExact(amount, 30));
                case "yr" -> Duration.ofDays(Math.multiplyExact(amount, 365));
                default -> throw new IllegalStateException("unit " + unit);
            };
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("retention \"" + text + "\" is too long", e);
        }
    }
}
