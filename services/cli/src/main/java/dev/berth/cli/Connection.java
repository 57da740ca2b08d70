package dev.berth.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the API is and which keypair signs: the flag, else the environment, else what {@code
 * ./berth up} uses (the API on {@value #DEFAULT_API}, the keypair it wrote in its state directory).
 */
public record Connection(URI api, Path keypairFile) {

    public static final String DEFAULT_API = "http://127.0.0.1:8080";

    /** Null flags were not given; a bad address is an {@link IllegalArgumentException} naming where it came from. */
    public static Connection resolve(String apiFlag, Path keypairFlag, Map<String, String> env) {
        String api = apiFlag != null ? apiFlag : setting(env, "BERTH_API");
        URI uri = uri(api == null ? DEFAULT_API : api, apiFlag != null ? "--api" : "BERTH_API");
        Path keypair = keypairFlag;
        if (keypair == null && setting(env, "BERTH_KEYPAIR") != null) keypair = Path.of(setting(env, "BERTH_KEYPAIR"));
        if (keypair == null) {
            String stateDir = setting(env, "BERTH_STATE_DIR");
            keypair = Path.of(stateDir == null ? ".berth" : stateDir).resolve("keypair.json");
        }
        return new Connection(uri, keypair);
    }

    private static String setting(Map<String, String> env, String key) {
        String value = env.get(key);
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static URI uri(String text, String source) {
        try {
            URI uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
            boolean web = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
            if (web && uri.getHost() != null && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
                    && uri.getRawQuery() == null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // answered below, with the value
        }
        throw new IllegalArgumentException(source + " must be an http:// or https:// address such as " + DEFAULT_API
                + ", got \"" + text + "\"");
    }
}
