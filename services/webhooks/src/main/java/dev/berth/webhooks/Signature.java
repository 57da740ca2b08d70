package dev.berth.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code X-Berth-Signature}: {@code sha256=} and the hex HMAC-SHA256, keyed with the secret, of the
 * {@code X-Berth-Timestamp} value, a dot and the body's bytes. The timestamp inside the signed text
 * lets a receiver refuse an old request replayed with its signature.
 */
public final class Signature {

    public static final String HEADER = "X-Berth-Signature";
    public static final String TIMESTAMP_HEADER = "X-Berth-Timestamp";
    private static final String ALGORITHM = "HmacSHA256";

    private Signature() {}

    /** @param timestamp epoch seconds, as sent in {@value #TIMESTAMP_HEADER} */
    public static String header(String secret, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every JDK has " + ALGORITHM, e);
        }
    }
}
