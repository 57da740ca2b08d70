package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** How a JSON value reads in a table cell: one line, "-" for nothing, objects as {@code k=v,k=v}, lists comma-joined. */
public final class Cells {

    public static final String NOTHING = "-";

    private Cells() {}

    public static String text(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) return NOTHING;
        if (value.isTextual()) return value.asText().isEmpty() ? NOTHING : value.asText();
        if (value.isBigDecimal()) return value.decimalValue().stripTrailingZeros().toPlainString();
        if (value.isValueNode()) return value.asText();
        List<String> parts = new ArrayList<>();
        if (value.isArray()) {
            value.forEach(item -> parts.add(item.isContainerNode() ? Json.compact(item) : text(item)));
        } else {
            for (Map.Entry<String, JsonNode> field : value.properties()) {
                JsonNode item = field.getValue();
                parts.add(field.getKey() + "=" + (item.isContainerNode() ? Json.compact(item) : text(item)));
            }
        }
        return parts.isEmpty() ? NOTHING : String.join(",", parts);
    }

    /** Line breaks (a command, an error text) would break the columns: they show as \n. */
    static String oneLine(String cell) {
        if (cell == null || cell.isEmpty()) return NOTHING;
        return cell.replace("\r", "").replace("\n", "\\n").replace("\t", " ");
    }
}
