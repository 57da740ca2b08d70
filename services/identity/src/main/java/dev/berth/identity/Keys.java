package dev.berth.identity;

import java.security.SecureRandom;

/**
 * New credentials: a keypair (an access key {@code AKIA} + 16 characters and a 40-character secret),
 * and the secrets webhook subscriptions sign their deliveries with.
 */
public final class Keys {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final String MIXED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private Keys() {}

    public record Keypair(String accessKey, String secretKey) {}

    public static Keypair generate() {
        return new Keypair("AKIA" + random(UPPER, 16), random(MIXED, 40));
    }

    /** 48 letters and digits, about 285 bits: what a webhook subscription signs its deliveries with. */
    public static String webhookSecret() {
        return random(MIXED, 48);
    }

    private static String random(String alphabet, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) text.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        return text.toString();
    }
}
