package dev.berth.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SignatureTest {

    private static final byte[] BODY = "{\"type\":\"session_lifecycle\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    @DisplayName("HOOK the signature is sha256= and the hex HMAC-SHA256 of timestamp.body, as openssl computes it")
    void knownVector() {
        // printf '1700000000.{"type":"session_lifecycle"}' | openssl dgst -sha256 -hmac topsecret
        assertEquals("sha256=c217288e77f50f06f67b412c242a59f4a0d8e83d01625b6d26448426acf98278",
                Signature.header("topsecret", 1_700_000_000L, BODY));
    }

    @Test
    @DisplayName("HOOK another secret, timestamp or body gives another signature")
    void eachPartCounts() {
        String signed = Signature.header("topsecret", 1_700_000_000L, BODY);
        assertNotEquals(signed, Signature.header("topsecreT", 1_700_000_000L, BODY));
        assertNotEquals(signed, Signature.header("topsecret", 1_700_000_001L, BODY));
        assertNotEquals(signed, Signature.header("topsecret", 1_700_000_000L, "{\"type\":\"session_lifecycle\"} ".getBytes(StandardCharsets.UTF_8)));
    }
}
