package dev.berth.api.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.api.auth.RequestDates;
import dev.berth.api.auth.SigningRules;
import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.identity.RequestSigner;
import dev.berth.identity.RequestSigner.Hash;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** AUTH-02..04 as the original's clients sign; the expected values are worked out independently of the server's path. */
class OriginalSigningTest {

    @Test
    @DisplayName("AUTH-04 the original's dates: offsets, no offset as UTC, RFC 1123 with a zone name; anything else invalid-auth-params")
    void dates() {
        Instant at = Instant.parse("2026-11-25T15:30:00Z");
        assertEquals(at, RequestDates.parseZoned("2026-11-26T00:30:00+09:00", true).toInstant());
        assertEquals(at, RequestDates.parseZoned("2026-11-25T15:30:00.000000+00:00", true).toInstant());
        assertEquals(at, RequestDates.parseZoned("2026-11-25T15:30:00", true).toInstant());
        assertEquals(at, RequestDates.parseZoned("Wed, 25 Nov 2026 15:30:00 GMT", true).toInstant());
        assertEquals(at, RequestDates.parseZoned("Wed, 25 Nov 2026 15:30:00 UTC", true).toInstant());
        assertEquals(ProblemKind.INVALID_AUTH_PARAMS, assertThrows(ProblemException.class,
                () -> RequestDates.parseZoned("2026-11-25T15:30:00", false)).kind(), "Berth's own dialect wants an offset");
        assertEquals(ProblemKind.INVALID_AUTH_PARAMS, assertThrows(ProblemException.class,
                () -> RequestDates.parseZoned("tomorrow", true)).kind());
    }

    @Test
    @DisplayName("AUTH-03 the original keys its signature with the day as written in the date header; Berth's own clients with the UTC day")
    void keyDate() {
        var tokyo = RequestDates.parseZoned("2026-11-26T00:30:00+09:00", true);
        assertEquals("20261126", SigningRules.ORIGINAL.keyDate(tokyo));
        assertEquals("20261125", SigningRules.NATIVE.keyDate(tokyo));
    }

    @Test
    @DisplayName("AUTH-03 signMethod names any hash of Python's guaranteed set; the body hash in the string to sign is that hash of no bytes")
    void hashes() {
        assertEquals(Optional.of(Hash.SHA256), Hash.ofSignMethod("HMAC-SHA256"));
        assertEquals(Optional.of(Hash.SHA512), Hash.ofSignMethod("hmac-sha512"));
        assertEquals(Optional.of(Hash.MD5), Hash.ofSignMethod("HMAC-MD5"));
        assertEquals(Optional.empty(), Hash.ofSignMethod("RSA-SHA256"));
        String sha1 = RequestSigner.stringToSign("GET", "/", "d", "h", "text/plain", "v8.20240915", Hash.SHA1);
        assertEquals("da39a3ee5e6b4b0d3255bfef95601890afd80709", sha1.substring(sha1.lastIndexOf('\n') + 1));
        String sha256 = RequestSigner.stringToSign("GET", "/", "d", "h", null, "v8.20240915");
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", sha256.substring(sha256.lastIndexOf('\n') + 1));
    }

    @Test
    @DisplayName("AUTH-02 a known signature: the original client's algorithm, worked by hand, for a SHA-256 request")
    void knownSignature() throws Exception {
        String toSign = "GET\n/session/abc\n2026-11-25T15:30:00Z\nhost:127.0.0.1:8080\ncontent-type:application/json\n"
                + "x-backendai-version:v8.20240915\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assertEquals(toSign, RequestSigner.stringToSign("GET", "/session/abc", "2026-11-25T15:30:00Z", "127.0.0.1:8080",
                "application/json; charset=utf-8", "v8.20240915", Hash.SHA256));
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec("secret".getBytes(), "HmacSHA256"));
        byte[] k1 = mac.doFinal("20261125".getBytes());
        mac.init(new javax.crypto.spec.SecretKeySpec(k1, "HmacSHA256"));
        byte[] k2 = mac.doFinal("127.0.0.1:8080".getBytes());
        mac.init(new javax.crypto.spec.SecretKeySpec(k2, "HmacSHA256"));
        String expected = java.util.HexFormat.of().formatHex(mac.doFinal(toSign.getBytes()));
        assertEquals(expected, RequestSigner.signature("secret", "20261125", toSign, "127.0.0.1:8080", Hash.SHA256));
    }
}
