package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.function.Function;
import picocli.CommandLine.Option;

/** A table by default; {@code --json} prints the server's answer instead, pretty, for scripts and jq. */
public final class OutputFormat {

    @Option(names = "--json", description = "Print the server's JSON instead of a table.")
    boolean json;

    public boolean json() {
        return json;
    }

    public void print(PrintWriter out, JsonNode answer, Function<JsonNode, Table> table) {
        if (json) {
            out.println(Json.pretty(answer));
            out.flush();
        } else {
            table.apply(answer).print(out);
        }
    }
}
