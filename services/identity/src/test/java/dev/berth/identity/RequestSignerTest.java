package dev.berth.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RequestSignerTest {

    private static final Instant DATE = Instant.parse("2026-11-25T11:28:02Z");
    private static final String HOST = "127.0.0.1:8080";

    @Test
    @DisplayName("AUTH-02/03 the signature matches one computed with openssl from the same string to sign")
    void knownAnswer() {
        String toSign = RequestSigner.stringToSign("get", "/v1/sessions?limit=5", "2026-11-25T11:28:02Z", HOST, null, "v8.20261101");

        // printf ... | openssl dgst -sha256 -mac HMAC with k1 = HMAC("secret123", "20261125"), k2 = HMAC(k1, host)
        assertEquals("59239de4882fccec33b067f5c69014b21017e09103eca05b14a0515c1dc1044f",
                RequestSigner.signature("secret123", DATE, toSign, HOST));
    }

    @Test
    @DisplayName("AUTH-02 every signed part changes the signature; the body is not one of them")
    void everyPartCounts() {
        String base = sign("GET", "/v1/sessions", "2026-11-25T11:28:02Z", HOST, "application/json");
        assertNotEquals(base, sign("DELETE", "/v1/sessions", "2026-11-25T11:28:02Z", HOST, "application/json"));
        assertNotEquals(base, sign("GET", "/v1/sessions?x=1", "2026-11-25T11:28:02Z", HOST, "application/json"));
        assertNotEquals(base, sign("GET", "/v1/sessions", "2026-11-25T11:28:03Z", HOST, "application/json"));
        assertNotEquals(base, sign("GET", "/v1/sessions", "2026-11-25T11:28:02Z", "127.0.0.1:8081", "application/json"));
        assertNotEquals(base, sign("GET", "/v1/sessions", "2026-11-25T11:28:02Z", HOST, "text/plain"));
        assertEquals(base, sign("GET", "/v1/sessions", "2026-11-25T11:28:02Z", HOST, "Application/JSON; charset=utf-8"));
    }

    @Test
    @DisplayName("AUTH-04 headers carry the date, the version and BackendAI signMethod=HMAC-SHA256, credential=AK:SIG")
    void headers() {
        Map<String, String> headers = RequestSigner.headers("AKIATEST", "s3cret", "POST", "/v1/sessions", HOST, "application/json",
                Instant.parse("2026-11-25T11:28:02.750Z"));

        assertEquals("2026-11-25T11:28:02Z", headers.get("X-BackendAI-Date"));
        assertEquals(RequestSigner.API_VERSION, headers.get("X-BackendAI-Version"));
        String expected = RequestSigner.signature("s3cret", DATE,
                RequestSigner.stringToSign("POST", "/v1/sessions", "2026-11-25T11:28:02Z", HOST, "application/json", RequestSigner.API_VERSION), HOST);
        assertEquals("BackendAI signMethod=HMAC-SHA256, credential=AKIATEST:" + expected, headers.get("Authorization"));
        assertTrue(RequestSigner.matches(expected, expected.toUpperCase()));
        assertFalse(RequestSigner.matches(expected, expected.substring(1) + "0"));
    }

    private static String sign(String method, String path, String date, String host, String contentType) {
        return RequestSigner.signature("secret", Instant.parse(date), RequestSigner.stringToSign(method, path, date, host, contentType, "v8.20261101"), host);
    }
}
