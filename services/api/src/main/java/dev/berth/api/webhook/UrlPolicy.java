package dev.berth.api.webhook;

import dev.berth.api.problem.Findings;
import dev.berth.common.Env;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which URLs Berth POSTs to, a session's {@code callbackUrl} as a subscription's {@code url}: http
 * or https, at most {@value #MAX_LENGTH} characters, and a host that is neither loopback (allowed
 * only in development mode) nor on the deny list. A pure check of the URL as written: host names
 * are never resolved, so that a create does not wait for DNS; a name that resolves to a denied
 * address is for the network's egress rules to stop.
 *
 * @param devMode BERTH_DEV_MODE: loopback receivers are allowed ({@code berth up} and tests set it)
 * @param deny    BERTH_WEBHOOK_DENY: comma-separated CIDRs, addresses and host names (a leading dot
 *                denies the name and every name under it); link-local by default, where cloud
 *                metadata services answer. Private ranges are allowed unless listed here, as
 *                receivers on a company network are common.
 */
public record UrlPolicy(boolean devMode, List<Rule> deny) {

    public static final int MAX_LENGTH = 2048;
    public static final String DEFAULT_DENY = "169.254.0.0/16,fe80::/10";

    /** An octet without leading zeros: "0177" or "0x7f" would be read as octal or hex by some resolvers. */
    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
    private static final Pattern NUMERIC_LABEL = Pattern.compile("[0-9]+|0x[0-9a-f]*");
    private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");
    /** Production defaults: no loopback, no link-local; after the patterns, which parsing it needs. */
    public static final UrlPolicy DEFAULT = new UrlPolicy(false, rules(DEFAULT_DENY));

    /** One entry of the deny list. */
    public sealed interface Rule permits Network, Host {
        /** The entry as the operator wrote it, for messages. */
        String text();
    }

    /** Addresses whose first {@code bits} bits are those of {@code prefix} (4 bytes for IPv4, 16 for IPv6). */
    public record Network(byte[] prefix, int bits, String text) implements Rule {
        boolean contains(byte[] address) {
            if (address.length != prefix.length) return false;
            for (int bit = 0; bit < bits; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((address[bit / 8] & mask) != (prefix[bit / 8] & mask)) return false;
            }
            return true;
        }
    }

    /** A host name, and with {@code subdomains} every name under it. */
    public record Host(String name, boolean subdomains, String text) implements Rule {
        boolean matches(String host) {
            return host.equals(name) || (subdomains && host.endsWith("." + name));
        }
    }

    public UrlPolicy {
        deny = List.copyOf(deny);
    }

    public static UrlPolicy from(Env env) {
        return new UrlPolicy(env.bool("BERTH_DEV_MODE", false), rules(env.string("BERTH_WEBHOOK_DENY", DEFAULT_DENY)));
    }

    /** Parses a deny list; an entry that is neither a CIDR, an address nor a host name fails naming the setting. */
    public static List<Rule> rules(String list) {
        List<Rule> rules = new ArrayList<>();
        for (String raw : list.split(",")) {
            String entry = raw.trim().toLowerCase(Locale.ROOT);
            if (entry.isEmpty()) continue;
            Rule rule = rule(entry);
            if (rule == null) {
                throw new IllegalArgumentException("BERTH_WEBHOOK_DENY: \"" + raw.trim() + "\" is neither a CIDR, an address nor a host name");
            }
            rules.add(rule);
        }
        return rules;
    }

    /**
     * Reads {@code field} of a request body as a receiver URL: null when absent, else the URL, or
     * null with the problem recorded in {@code findings}.
     */
    public String read(Findings findings, String field, Object value) {
        if (value == null) return null;
        if (!(value instanceof String text)) return findings.add(field, "must be a string");
        Optional<String> problem = problem(text);
        return problem.isPresent() ? findings.add(field, problem.get()) : text;
    }

    /** Why Berth must not POST to {@code url}, or empty when it may; the text follows the field's name. */
    public Optional<String> problem(String url) {
        if (url.length() > MAX_LENGTH) return Optional.of("must be at most " + MAX_LENGTH + " characters, got " + url.length());
        String host = host(url);
        if (host == null) return Optional.of("must be an http or https URL, got \"" + url + "\"");
        byte[] address = address(host);
        if (address == null && NUMERIC_LABEL.matcher(host.substring(host.lastIndexOf('.') + 1)).matches()) {
            return Optional.of("has a numeric host that is not a dotted IPv4 address: " + host);
        }
        if (!devMode && isLoopback(host, address)) {
            return Optional.of("must not name a loopback host (" + host + ") outside development mode (BERTH_DEV_MODE=true)");
        }
        for (Rule rule : deny) {
            boolean denied = switch (rule) {
                case Network network -> address != null && network.contains(address);
                case Host name -> name.matches(host);
            };
            if (denied) return Optional.of("names a denied host: " + host + " is in " + rule.text() + " (BERTH_WEBHOOK_DENY)");
        }
        return Optional.empty();
    }

    /** The URL's host in lower case without brackets or a trailing dot, or null when it is no http(s) URL with a host. */
    private static String host(String url) {
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) return null;
            String host = uri.getHost().toLowerCase(Locale.ROOT);
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
            if (host.endsWith(".")) host = host.substring(0, host.length() - 1);
            if (host.isEmpty()) return null;
            if (host.contains(":") && address(host) == null) return null;
            return host;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** RFC 6761: localhost and every name under it are loopback; so are 127/8, "this host" 0/8, ::1 and ::. */
    private static boolean isLoopback(String host, byte[] address) {
        if (host.equals("localhost") || host.endsWith(".localhost")) return true;
        if (address == null) return false;
        if (address.length == 4) return address[0] == 127 || address[0] == 0;
        for (int i = 0; i < 15; i++) if (address[i] != 0) return false;
        return address[15] == 0 || address[15] == 1;
    }

    /**
     * The bytes of an IP literal (IPv4-mapped IPv6 as IPv4), or null for a name. IPv4 is parsed
     * here; IPv6 by the JDK within brackets, which parses literals only and never asks DNS.
     */
    private static byte[] address(String host) {
        if (IPV4.matcher(host).matches()) {
            String[] octets = host.split("\\.");
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) bytes[i] = (byte) Integer.parseInt(octets[i]);
            return bytes;
        }
        if (!host.contains(":") || host.contains("%")) return null;
        try {
            return InetAddress.getByName("[" + host + "]").getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static Rule rule(String entry) {
        int slash = entry.indexOf('/');
        if (slash >= 0) {
            byte[] prefix = address(entry.substring(0, slash));
            Integer bits = bits(entry.substring(slash + 1));
            if (prefix == null || bits == null || bits > prefix.length * 8) return null;
            return new Network(prefix, bits, entry);
        }
        byte[] address = address(entry);
        if (address != null) return new Network(address, address.length * 8, entry);
        boolean subdomains = entry.startsWith(".");
        String name = subdomains ? entry.substring(1) : entry;
        if (name.endsWith(".")) name = name.substring(0, name.length() - 1);
        return HOST_NAME.matcher(name).matches() ? new Host(name, subdomains, entry) : null;
    }

    private static Integer bits(String text) {
        if (!text.matches("[0-9]{1,3}")) return null;
        return Integer.parseInt(text);
    }
}
