package dev.berth.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.Json;
import dev.berth.cli.Table;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The body of a create or update: {@code --set FIELD=VALUE} pairs, or the whole object with {@code
 * --json}. Who gives JSON reads JSON: with --json the answer is printed as the server's JSON too.
 */
final class BodyOptions {

    @Option(names = "--set", paramLabel = "FIELD=VALUE", description = "A field of the body; its value is JSON when it reads as JSON"
            + " (2, true, {\"cpu\": 1}, \"007\"), else text. Repeatable.")
    Map<String, String> fields = new LinkedHashMap<>();

    @Option(names = "--json", paramLabel = "BODY", description = "The whole body as a JSON object, @FILE to read it from a file,"
            + " - from stdin; the answer is printed as JSON.")
    String json;

    ObjectNode body(CommandSpec spec) {
        if ((json == null) == fields.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "give the fields with --set FIELD=VALUE or the whole body with --json BODY, one of them");
        }
        if (json == null) {
            ObjectNode body = Json.object();
            fields.forEach((field, value) -> body.set(field, Json.value(value)));
            return body;
        }
        JsonNode parsed = Json.parseOrNull(text(spec));
        if (parsed == null || !parsed.isObject()) throw new ParameterException(spec.commandLine(), "--json must be a JSON object");
        return (ObjectNode) parsed;
    }

    void print(PrintWriter out, JsonNode answer) {
        if (json == null) {
            Table.fields(answer).print(out);
        } else {
            out.println(Json.pretty(answer));
            out.flush();
        }
    }

    private String text(CommandSpec spec) {
        if (!json.equals("-") && !json.startsWith("@")) return json;
        try {
            return json.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(json.substring(1)), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "--json " + json + ": cannot read it (" + e.getMessage() + ")");
        }
    }
}
