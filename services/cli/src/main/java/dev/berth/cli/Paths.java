package dev.berth.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.StringJoiner;

/** API paths from user input: segments and query values are percent-encoded, so a name never changes the route. */
public final class Paths {

    private Paths() {}

    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code path?k=v&…} with the entries whose value is not null, in their order; just {@code path} when none is. */
    public static String withQuery(String path, Map<String, String> query) {
        StringJoiner pairs = new StringJoiner("&");
        query.forEach((key, value) -> {
            if (value != null) pairs.add(segment(key) + "=" + segment(value));
        });
        return pairs.length() == 0 ? path : path + "?" + pairs;
    }
}
