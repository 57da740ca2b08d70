package dev.berth.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * The CLI's one JSON mapper. Decimals stay {@code BigDecimal} and print plain, so that what the
 * server said ({@code "cpu": 0.5}) is shown as it said it, never as a rounded double.
 */
public final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    private Json() {}

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static JsonNode parse(String text) throws JsonProcessingException {
        return MAPPER.readTree(text);
    }

    /** The JSON in {@code text}, or null when it holds none. */
    public static JsonNode parseOrNull(String text) {
        if (text == null || text.isBlank()) return null;
        try {
            return parse(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /**
     * A command-line value as JSON: what reads as JSON ({@code 2}, {@code 0.5}, {@code true},
     * {@code {"cpu": 1}}, {@code "quoted"}) is that JSON, anything else ({@code 64m}, {@code hello
     * world}) is text. Quoting is how a value that looks like a number stays text.
     */
    public static JsonNode value(String text) {
        JsonNode parsed = parseOrNull(text);
        return parsed == null || parsed.isMissingNode() ? TextNode.valueOf(text) : parsed;
    }

    public static String pretty(JsonNode json) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree read by Jackson always writes", e);
        }
    }

    public static String compact(JsonNode json) {
        try {
            return MAPPER.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree read by Jackson always writes", e);
        }
    }
}
