package dev.berth.identity;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keypair request signing (SPEC AUTH-02/03/04), shared by the server's check, the tests and the
 * clients. The body is not signed (its hash is always that of no bytes), so uploads can stream.
 *
 * <pre>
 * string to sign = METHOD \n path?query \n date header value \n host:HOST \n content-type:TYPE
 *                  \n x-backendai-version:VERSION \n hex(sha256(""))
 * k1 = HMAC(secret, yyyyMMdd of the date in UTC); k2 = HMAC(k1, HOST); signature = hex(HMAC(k2, string to sign))
 * Authorization: BackendAI signMethod=HMAC-SHA256, credential=ACCESS_KEY:SIGNATURE
 * </pre>
 */
public final class RequestSigner {

    /** The API version Berth's clients announce; any {@code v4.20181215} or later is accepted. */
    public static final String API_VERSION = "v8.20261101";
    public static final String SCHEME = "BackendAI";
    public static final String SIGN_METHOD = "HMAC-SHA256";
    public static final String DATE_HEADER = "X-BackendAI-Date";
    public static final String VERSION_HEADER = "X-BackendAI-Version";
    private static final DateTimeFormatter KEY_DATE = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);

    private RequestSigner() {}

    /** What is signed; {@code contentType} is the media type without parameters, "" when absent. */
    public static String stringToSign(String method, String pathAndQuery, String dateValue, String host, String contentType, String apiVersion) {
        return stringToSign(method, pathAndQuery, dateValue, host, contentType, apiVersion, Hash.SHA256);
    }

    /** As above, with the body hash (of no bytes) in {@code hash}, the algorithm the Authorization header names. */
    public static String stringToSign(String method, String pathAndQuery, String dateValue, String host, String contentType,
                                      String apiVersion, Hash hash) {
        return method.toUpperCase(Locale.ROOT) + "\n"
                + pathAndQuery + "\n"
                + dateValue + "\n"
                + "host:" + host.toLowerCase(Locale.ROOT) + "\n"
                + "content-type:" + mediaType(contentType) + "\n"
                + "x-backendai-version:" + apiVersion + "\n"
                + hash.emptyBodyHash();
    }

    /** The hex signature of a request whose date header says {@code dateValue} (parsed as {@code date}). */
    public static String signature(String secretKey, Instant date, String stringToSign, String host) {
        return signature(secretKey, KEY_DATE.format(date), stringToSign, host, Hash.SHA256);
    }

    /** The hex signature with the signing key of {@code keyDate} (yyyyMMdd) and {@code hash}'s HMAC. */
    public static String signature(String secretKey, String keyDate, String stringToSign, String host, Hash hash) {
        byte[] k1 = hmac(hash, secretKey.getBytes(StandardCharsets.UTF_8), keyDate);
        byte[] k2 = hmac(hash, k1, host.toLowerCase(Locale.ROOT));
        return HexFormat.of().formatHex(hmac(hash, k2, stringToSign));
    }

    /**
     * The hashes a {@code signMethod=HMAC-<HASH>} may name. Berth's clients use SHA-256; the
     * original's let a user choose among the ones every Python has (AUTH-03).
     */
    public enum Hash {
        MD5("HmacMD5", "MD5"), SHA1("HmacSHA1", "SHA-1"), SHA224("HmacSHA224", "SHA-224"), SHA256("HmacSHA256", "SHA-256"),
        SHA384("HmacSHA384", "SHA-384"), SHA512("HmacSHA512", "SHA-512");

        private final String mac;
        private final String digest;

        Hash(String mac, String digest) {
            this.mac = mac;
            this.digest = digest;
        }

        /** {@code HMAC-SHA256} → SHA256, case-insensitive; empty for anything else. */
        public static java.util.Optional<Hash> ofSignMethod(String signMethod) {
            String upper = signMethod.trim().toUpperCase(Locale.ROOT);
            if (!upper.startsWith("HMAC-")) return java.util.Optional.empty();
            String name = upper.substring("HMAC-".length()).replace("-", "");
            for (Hash hash : values()) {
                if (hash.name().equals(name)) return java.util.Optional.of(hash);
            }
            return java.util.Optional.empty();
        }

        String emptyBodyHash() {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance(digest).digest(new byte[0]));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(digest + " is part of every JDK", e);
            }
        }
    }

    /** The headers a client adds to sign a request made now. */
    public static Map<String, String> headers(String accessKey, String secretKey, String method, String pathAndQuery,
                                              String host, String contentType, Instant now) {
        Instant date = now.truncatedTo(ChronoUnit.SECONDS);
        String dateValue = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(date.atOffset(ZoneOffset.UTC));
        String signature = signature(secretKey, date, stringToSign(method, pathAndQuery, dateValue, host, contentType, API_VERSION), host);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(DATE_HEADER, dateValue);
        headers.put(VERSION_HEADER, API_VERSION);
        headers.put("Authorization", authorization(accessKey, signature));
        return headers;
    }

    public static String authorization(String accessKey, String signature) {
        return SCHEME + " signMethod=" + SIGN_METHOD + ", credential=" + accessKey + ":" + signature;
    }

    /** {@code application/json; charset=utf-8} → {@code application/json}. */
    public static String mediaType(String contentType) {
        if (contentType == null) return "";
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    /** Constant-time comparison of two hex signatures. */
    public static boolean matches(String expected, String given) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), given.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] hmac(Hash hash, byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance(hash.mac);
            mac.init(new SecretKeySpec(key, hash.mac));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(hash.mac + " is part of every JDK", e);
        }
    }
}
