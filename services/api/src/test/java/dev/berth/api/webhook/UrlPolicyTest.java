package dev.berth.api.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.Env;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UrlPolicyTest {

    private static final UrlPolicy DEV = new UrlPolicy(true, UrlPolicy.rules(UrlPolicy.DEFAULT_DENY));

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"https://hooks.example.com/berth", "http://hooks.example.com:8080/a?token=x", "https://10.1.2.3/internal",
            "http://192.168.0.10/x", "https://[2001:db8::1]/x", "HTTPS://Hooks.Example.COM/x", "http://8.8.8.8/"})
    @DisplayName("HOOK http and https URLs of public and private hosts are allowed by default")
    void allowed(String url) {
        assertEquals(Optional.empty(), UrlPolicy.DEFAULT.problem(url));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "ftp://example.com/x|must be an http or https URL",
            "not a url|must be an http or https URL",
            "http:///path-only|must be an http or https URL",
            "mailto:ops@example.com|must be an http or https URL",
            "file:///etc/passwd|must be an http or https URL",
            "http://[fe80::1%25eth0]/x|must be an http or https URL",
            "http://127.0.0.1:8080/x|must not name a loopback host (127.0.0.1)",
            "http://127.9.9.9/x|must not name a loopback host",
            "http://localhost/x|must not name a loopback host (localhost)",
            "http://LOCALHOST./x|must not name a loopback host (localhost)",
            "http://api.localhost/x|must not name a loopback host",
            "http://[::1]/x|must not name a loopback host (::1)",
            "http://[::ffff:127.0.0.1]/x|must not name a loopback host",
            "http://0.0.0.0/x|must not name a loopback host",
            "http://169.254.169.254/latest/meta-data|names a denied host: 169.254.169.254 is in 169.254.0.0/16",
            "http://[fe80::1]/x|names a denied host: fe80::1 is in fe80::/10",
            "http://2130706433/x|has a numeric host that is not a dotted IPv4 address",
            "http://0177.0.0.1/x|has a numeric host that is not a dotted IPv4 address",
            // not even a host name to java.net.URI, whose top label must start with a letter
            "http://0x7f.1/x|must be an http or https URL",
            "http://127.1/x|must be an http or https URL"})
    @DisplayName("HOOK other schemes, loopback outside development mode, link-local and numeric tricks are refused with the reason")
    void refused(String url, String reason) {
        String problem = UrlPolicy.DEFAULT.problem(url).orElseThrow(() -> new AssertionError(url + " was allowed"));
        assertTrue(problem.startsWith(reason), problem);
    }

    @Test
    @DisplayName("HOOK a URL over 2048 characters is refused by its length, without echoing it")
    void tooLong() {
        String url = "https://hooks.example.com/" + "a".repeat(2048 - 26);
        assertEquals(2048, url.length());
        assertEquals(Optional.empty(), UrlPolicy.DEFAULT.problem(url));
        assertEquals(Optional.of("must be at most 2048 characters, got 2049"), UrlPolicy.DEFAULT.problem(url + "a"));
    }

    @Test
    @DisplayName("HOOK development mode (BERTH_DEV_MODE=true) allows loopback, and still denies the list")
    void developmentMode() {
        assertEquals(Optional.empty(), DEV.problem("http://127.0.0.1:9000/hook"));
        assertEquals(Optional.empty(), DEV.problem("http://localhost:9000/hook"));
        assertEquals(Optional.empty(), DEV.problem("http://[::1]:9000/hook"));
        assertTrue(DEV.problem("http://169.254.169.254/").isPresent());
        assertTrue(UrlPolicy.from(new Env(Map.of("BERTH_DEV_MODE", "true"))).problem("http://127.0.0.1/").isEmpty());
        assertTrue(UrlPolicy.from(new Env(Map.of())).problem("http://127.0.0.1/").isPresent());
    }

    @Test
    @DisplayName("HOOK BERTH_WEBHOOK_DENY takes CIDRs, addresses and host names; a leading dot denies every name under it")
    void denyList() {
        UrlPolicy policy = UrlPolicy.from(new Env(Map.of("BERTH_WEBHOOK_DENY", "10.0.0.0/8, 192.168.1.7, 2001:db8::/32, metadata.internal, .corp.example")));
        assertTrue(policy.problem("http://10.200.0.1/x").orElseThrow().contains("10.0.0.0/8"));
        assertTrue(policy.problem("http://192.168.1.7/x").orElseThrow().contains("192.168.1.7"));
        assertEquals(Optional.empty(), policy.problem("http://192.168.1.8/x"));
        assertTrue(policy.problem("http://[2001:db8::5]/x").isPresent());
        assertTrue(policy.problem("http://METADATA.internal/x").isPresent());
        assertEquals(Optional.empty(), policy.problem("http://other.internal/x"));
        assertTrue(policy.problem("http://corp.example/x").isPresent());
        assertTrue(policy.problem("http://a.b.corp.example/x").isPresent());
        assertEquals(Optional.empty(), policy.problem("http://notcorp.example/x"));
        // the list replaces the default: link-local is allowed again, loopback is not (that is BERTH_DEV_MODE's)
        assertEquals(Optional.empty(), policy.problem("http://169.254.169.254/x"));
        assertTrue(policy.problem("http://127.0.0.1/x").isPresent());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"10.0.0.0/33", "10.0.0/8", "fe80::/129", "under_score.example", "1.2.3.4/x", "http://x"})
    @DisplayName("a deny entry that is neither a CIDR, an address nor a host name fails at start, naming the setting and the entry")
    void badEntry(String entry) {
        var e = assertThrows(IllegalArgumentException.class, () -> UrlPolicy.from(new Env(Map.of("BERTH_WEBHOOK_DENY", "8.8.8.8," + entry))));
        assertTrue(e.getMessage().startsWith("BERTH_WEBHOOK_DENY: \"" + entry + "\""), e.getMessage());
    }
}
