package dev.berth.cli.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.Berth;
import dev.berth.cli.Cells;
import dev.berth.cli.Group;
import dev.berth.cli.Json;
import dev.berth.cli.OutputFormat;
import dev.berth.cli.Paths;
import dev.berth.cli.Table;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code berth admin config get|set|unset}: the shared configuration in etcd over
 * {@code /v1/admin/config} (superadmins). A set or unset of several keys is one write: all or nothing.
 */
@Command(name = "config", description = "The shared configuration in etcd (/v1/admin/config): superadmins.",
        subcommands = {ConfigCommand.Get.class, ConfigCommand.Set.class, ConfigCommand.Unset.class})
public final class ConfigCommand extends Group {

    static final String PATH = "/v1/admin/config";

    @Command(name = "get", description = "Every key (or one) with its value in effect, source, whether it applies live, and its default.")
    static final class Get implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin OutputFormat format;
        @Parameters(arity = "0..1", paramLabel = "KEY", description = "One key only.")
        String key;

        @Override
        public Integer call() throws InterruptedException {
            JsonNode answer = Berth.of(spec).api().get(key == null ? PATH : PATH + "?key=" + Paths.segment(key));
            format.print(spec.commandLine().getOut(), answer, ConfigCommand::table);
            return 0;
        }
    }

    @Command(name = "set", description = "Set keys, all in one write: KEY=VALUE ...; a wrong key or value changes nothing.")
    static final class Set implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin OutputFormat format;
        @Parameters(arity = "1..*", paramLabel = "KEY=VALUE")
        List<String> pairs;

        @Override
        public Integer call() throws InterruptedException {
            return write(spec, format, changes(spec, pairs));
        }
    }

    @Command(name = "unset", description = "Remove keys, back to their defaults, all in one write.")
    static final class Unset implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin OutputFormat format;
        @Parameters(arity = "1..*", paramLabel = "KEY")
        List<String> keys;

        @Override
        public Integer call() throws InterruptedException {
            ObjectNode body = Json.object();
            keys.forEach(key -> body.putNull(key));
            return write(spec, format, body);
        }
    }

    /** One PATCH of {@code body}; the configuration after it, as a table or the server's JSON. */
    static int write(CommandSpec spec, OutputFormat format, ObjectNode body) throws InterruptedException {
        format.print(spec.commandLine().getOut(), Berth.of(spec).api().send("PATCH", PATH, body), ConfigCommand::table);
        return 0;
    }

    /** KEY=VALUE pairs as the PATCH body, values as text (the server parses them by key). */
    static ObjectNode changes(CommandSpec spec, List<String> pairs) {
        ObjectNode body = Json.object();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) throw new ParameterException(spec.commandLine(), "\"" + pair + "\" is not KEY=VALUE");
            body.put(pair.substring(0, eq).trim(), pair.substring(eq + 1));
        }
        return body;
    }

    /** One row per key; a value etcd holds but Berth did not take is flagged, with why, below the table. */
    static Table table(JsonNode answer) {
        Table table = Table.of("KEY", "VALUE", "SOURCE", "APPLIES", "DEFAULT").titled("configuration at revision " + answer.path("revision").asText());
        for (JsonNode key : answer.path("keys")) {
            String applies = key.path("applies").asText() + (key.path("pendingRestart").asBoolean() ? " (pending)" : "");
            String value = Cells.text(key.path("value")) + (key.has("rejected") ? " (etcd: " + key.path("stored").asText() + ", rejected)" : "");
            table.row(key.path("key").asText(), value, key.path("source").asText(), applies, Cells.text(key.path("default")));
        }
        return table;
    }
}
