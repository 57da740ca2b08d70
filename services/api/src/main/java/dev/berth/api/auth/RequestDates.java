package dev.berth.api.auth;

import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The signed date and version headers (AUTH-02/04): parsing and the clock-skew window. */
public final class RequestDates {

    /** AUTH-04: requests signed more than this before or after the server's clock are refused. */
    public static final Duration WINDOW = Duration.ofMinutes(15);
    private static final List<DateTimeFormatter> FORMATS = List.of(
            DateTimeFormatter.ISO_OFFSET_DATE_TIME, DateTimeFormatter.ISO_ZONED_DATE_TIME, DateTimeFormatter.RFC_1123_DATE_TIME);
    private static final List<DateTimeFormatter> LENIENT_FORMATS = List.of(
            DateTimeFormatter.ISO_OFFSET_DATE_TIME, DateTimeFormatter.ISO_ZONED_DATE_TIME, DateTimeFormatter.RFC_1123_DATE_TIME,
            DateTimeFormatter.ISO_LOCAL_DATE_TIME.withZone(ZoneOffset.UTC),
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss zzz", Locale.ENGLISH));
    private static final Pattern VERSION = Pattern.compile("v(\\d+)\\.(\\d{8})");
    /** AUTH-02: from this version on the body is not signed; older clients hashed it, which Berth does not do. */
    private static final long FIRST_UNSIGNED_BODY = 4_20181215L;

    private RequestDates() {}

    public static Instant parse(String value) {
        return parseZoned(value, false).toInstant();
    }

    /**
     * The date as written, with its zone. {@code lenient} also takes what the original server's
     * parser takes from its clients: ISO-8601 without an offset (read as UTC, as the original
     * does) and RFC 1123 with a zone name ({@code UTC}, {@code KST}).
     */
    public static ZonedDateTime parseZoned(String value, boolean lenient) {
        for (DateTimeFormatter format : lenient ? LENIENT_FORMATS : FORMATS) {
            try {
                return ZonedDateTime.parse(value.trim(), format);
            } catch (DateTimeParseException e) {
                // try the next format
            }
        }
        throw new ProblemException(ProblemKind.INVALID_AUTH_PARAMS,
                "the request date \"" + value + "\" is neither ISO-8601 with an offset nor RFC 1123");
    }

    /** Fails with auth-failed when {@code signed} is outside {@code now ± WINDOW}. */
    public static void requireWithinWindow(Instant signed, Instant now) {
        Duration skew = Duration.between(now, signed).abs();
        if (skew.compareTo(WINDOW) > 0) {
            throw new ProblemException(ProblemKind.AUTH_FAILED, "the request date is " + skew.toSeconds()
                    + " s away from the server's clock; the window is ±" + WINDOW.toMinutes() + " min");
        }
    }

    public static void requireSupportedVersion(String version) {
        Matcher matcher = VERSION.matcher(version == null ? "" : version.trim());
        if (!matcher.matches()) {
            throw new ProblemException(ProblemKind.INVALID_AUTH_PARAMS,
                    "X-BackendAI-Version must be like v8.20261101, got " + (version == null ? "nothing" : "\"" + version + "\""));
        }
        long ordinal = Long.parseLong(matcher.group(1)) * 100_000_000L + Long.parseLong(matcher.group(2));
        if (ordinal < FIRST_UNSIGNED_BODY) {
            throw new ProblemException(ProblemKind.INVALID_AUTH_PARAMS,
                    "X-BackendAI-Version " + version + " signs the body, which Berth does not support; use v4.20181215 or later");
        }
    }
}
