package dev.berth.api.auth;

import dev.berth.identity.RequestSigner;
import dev.berth.identity.RequestSigner.Hash;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Where the clients of a dialect sign differently (AUTH-02..04): Berth's own clients and the
 * original Backend.AI clients agree on the string to sign but not on these details.
 *
 * @param hashes            the hashes {@code signMethod=HMAC-<HASH>} may name
 * @param dateHeaders       the headers that may carry the signed date, the first present wins
 * @param absentContentType what is signed as the content type when the request has none
 * @param lenientDates      also ISO dates without an offset (as UTC) and RFC 1123 with a zone name
 * @param keyDateAsWritten  the signing key's date is the header's own calendar day, not the UTC one
 */
public record SigningRules(Set<Hash> hashes, List<String> dateHeaders, String absentContentType,
                           boolean lenientDates, boolean keyDateAsWritten) {

    private static final DateTimeFormatter KEY_DATE = DateTimeFormatter.ofPattern("yyyyMMdd");

    /** Berth's clients: SHA-256, X-BackendAI-Date first, strict dates, the UTC day. */
    public static final SigningRules NATIVE = new SigningRules(EnumSet.of(Hash.SHA256),
            List.of(RequestSigner.DATE_HEADER, "Date"), "", false, false);

    /**
     * The original's clients, as the original server checks them: any hash of Python's
     * guaranteed set, {@code Date} before {@code X-BackendAI-Date}, a missing content type signed
     * as {@code application/octet-stream} (aiohttp's default), and the key of the day written in
     * the date header ({@code strftime} on the parsed, zoned date).
     */
    public static final SigningRules ORIGINAL = new SigningRules(EnumSet.allOf(Hash.class),
            List.of("Date", RequestSigner.DATE_HEADER), "application/octet-stream", true, true);

    public SigningRules {
        hashes = Set.copyOf(hashes);
        dateHeaders = List.copyOf(dateHeaders);
    }

    /** The signing key's yyyyMMdd for a request signed at {@code signed}. */
    public String keyDate(ZonedDateTime signed) {
        return KEY_DATE.format(keyDateAsWritten ? signed : signed.withZoneSameInstant(ZoneOffset.UTC));
    }
}
