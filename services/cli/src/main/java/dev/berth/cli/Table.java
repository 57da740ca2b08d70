package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Rows under a header, each column as wide as its widest cell and three spaces from the next, as
 * kubectl prints them: readable, and still easy to cut with awk. The last column is not padded.
 */
public final class Table {

    private static final String GAP = "   ";

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();
    private String title;

    private Table(List<String> header) {
        this.header = header;
    }

    public static Table of(String... header) {
        return new Table(List.of(header));
    }

    /** One row per field of a JSON object (FIELD, VALUE), leaving out the fields that are null. */
    public static Table fields(JsonNode object) {
        Table table = of("FIELD", "VALUE");
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            if (!field.getValue().isNull()) table.row(field.getKey(), Cells.text(field.getValue()));
        }
        return table;
    }

    /** A line above the header saying what the table is of. */
    public Table titled(String title) {
        this.title = title;
        return this;
    }

    public Table row(String... cells) {
        return row(Arrays.asList(cells));
    }

    public Table row(List<String> cells) {
        if (cells.size() != header.size()) {
            throw new IllegalArgumentException("a row of " + cells.size() + " cells under " + header.size() + " columns");
        }
        rows.add(cells.stream().map(Cells::oneLine).toList());
        return this;
    }

    public String render() {
        int[] widths = new int[header.size()];
        for (List<String> line : lines()) {
            for (int column = 0; column < widths.length; column++) widths[column] = Math.max(widths[column], line.get(column).length());
        }
        StringBuilder text = new StringBuilder();
        if (title != null) text.append(title).append('\n');
        for (List<String> line : lines()) {
            StringBuilder row = new StringBuilder();
            for (int column = 0; column < widths.length; column++) {
                String cell = line.get(column);
                row.append(cell);
                if (column < widths.length - 1) row.append(" ".repeat(widths[column] - cell.length())).append(GAP);
            }
            text.append(row.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }

    public void print(PrintWriter out) {
        out.print(render());
        out.flush();
    }

    private List<List<String>> lines() {
        List<List<String>> lines = new ArrayList<>(rows.size() + 1);
        lines.add(header);
        lines.addAll(rows);
        return lines;
    }
}
