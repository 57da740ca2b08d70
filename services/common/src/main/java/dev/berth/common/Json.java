package dev.berth.common;

import java.util.Map;

/** Just enough JSON writing for health documents, so that small services need no JSON library. */
public final class Json {

    private Json() {}

    public static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        return out.append('"').toString();
    }

    /** {@code {"status":"UP|DOWN","checks":{name:{"up":..,"detail":..}}}}: UP only when every check is up. */
    public static String health(Map<String, Check> checks) {
        boolean up = checks.values().stream().allMatch(Check::up);
        StringBuilder out = new StringBuilder("{\"status\":\"").append(up ? "UP" : "DOWN").append("\",\"checks\":{");
        boolean first = true;
        for (var entry : checks.entrySet()) {
            if (!first) out.append(',');
            first = false;
            out.append(quote(entry.getKey())).append(":{\"up\":").append(entry.getValue().up())
                    .append(",\"detail\":").append(quote(entry.getValue().detail())).append('}');
        }
        return out.append("}}").toString();
    }
}
