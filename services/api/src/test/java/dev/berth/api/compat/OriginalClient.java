package dev.berth.api.compat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs requests as the original Backend.AI clients do, written from their algorithm and not from
 * Berth's signer, so that a test of the server holds it to the clients and not to itself.
 *
 * @param dateHeader  "Date" (the Python client) or "X-BackendAI-Date" (the JavaScript client)
 * @param contentType the Content-Type header sent, or null for none (the server then signs aiohttp's default)
 * @param hash        "SHA256", "SHA512", ...
 */
record OriginalClient(String accessKey, String secretKey, String dateHeader, String contentType, String hash) {

    static final String VERSION = "v8.20240915";

    /** The headers of a request whose date header says {@code date} written by {@code format}. */
    Map<String, String> headers(String method, String pathAndQuery, String host, ZonedDateTime date, DateTimeFormatter format) {
        try {
            String dateValue = format.format(date);
            String algorithm = "Hmac" + hash;
            String digest = hash.replace("SHA", "SHA-");
            String bodyHash = HexFormat.of().formatHex(MessageDigest.getInstance(digest).digest(new byte[0]));
            String signed = method + "\n" + pathAndQuery + "\n" + dateValue + "\nhost:" + host + "\ncontent-type:"
                    + (contentType == null ? "application/octet-stream" : contentType) + "\nx-backendai-version:" + VERSION + "\n" + bodyHash;
            byte[] k1 = hmac(algorithm, secretKey.getBytes(StandardCharsets.UTF_8), date.format(DateTimeFormatter.BASIC_ISO_DATE).substring(0, 8));
            byte[] k2 = hmac(algorithm, k1, host);
            String signature = HexFormat.of().formatHex(hmac(algorithm, k2, signed));
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put(dateHeader, dateValue);
            headers.put("X-BackendAI-Version", VERSION);
            if (contentType != null) headers.put("Content-Type", contentType);
            headers.put("Authorization", "BackendAI signMethod=HMAC-" + hash.toUpperCase(Locale.ROOT) + ", credential=" + accessKey + ":" + signature);
            return headers;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(String algorithm, byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance(algorithm);
        mac.init(new SecretKeySpec(key, algorithm));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }
}
