package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An API refusal as the server describes it (SPEC ERR-02): its problem+json {@code type}, {@code
 * title}, {@code status} and {@code detail}. An answer that is not a problem document (a proxy's
 * page, an empty body) still becomes one, titled by its HTTP status.
 */
public record Problem(String type, String title, int status, String detail) {

    public static final String TYPE_BASE = "https://api.backend.ai/probs/";

    public static Problem parse(int status, String body) {
        JsonNode json = Json.parseOrNull(body);
        if (json == null || !json.isObject() || !json.hasNonNull("title")) {
            return new Problem(null, "HTTP " + status, status, firstLine(body));
        }
        return new Problem(json.path("type").asText(null), json.path("title").asText(), status, json.path("detail").asText(null));
    }

    /** The last part of the type URI ({@code session-not-found}), or null when the answer named none. */
    public String kind() {
        return type != null && type.startsWith(TYPE_BASE) ? type.substring(TYPE_BASE.length()) : null;
    }

    /** {@code title: detail}, without the full stop that ends the server's titles ("No such session."). */
    public String message() {
        String head = title.endsWith(".") ? title.substring(0, title.length() - 1) : title;
        return detail == null || detail.isBlank() ? head : head + ": " + detail;
    }

    private static String firstLine(String body) {
        if (body == null || body.isBlank()) return null;
        String line = body.strip().lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
