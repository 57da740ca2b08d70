package dev.berth.cli.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.cli.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

class BodyOptionsTest {

    @Command
    static final class Probe {
        @Spec CommandSpec spec;
        @Mixin BodyOptions options;
    }

    @Test
    @DisplayName("--set values that read as JSON are JSON (numbers, booleans, objects, quoted text); the rest is text")
    void setPairs() throws Exception {
        assertEquals(Json.parse("""
                {"name": "small", "maxConcurrentSessions": 2, "isActive": false, "totalResourceSlots": {"cpu": 2, "mem": "2g"},
                 "description": "two sessions, at most", "tag": "007", "architectures": ["x86_64", "aarch64"], "idle": "10m=600s"}"""),
                body("--set", "name=small", "--set", "maxConcurrentSessions=2", "--set", "isActive=false",
                        "--set", "totalResourceSlots={\"cpu\": 2, \"mem\": \"2g\"}", "--set", "description=two sessions, at most",
                        "--set", "tag=\"007\"", "--set", "architectures=[\"x86_64\",\"aarch64\"]", "--set", "idle=10m=600s"));
    }

    @Test
    @DisplayName("--json gives the whole body, inline or from a file")
    void jsonBody(@TempDir Path dir) throws Exception {
        assertEquals(Json.parse("{\"name\": \"d1\"}"), body("--json", "{\"name\": \"d1\"}"));
        Path file = Files.writeString(dir.resolve("user.json"), "{\"email\": \"ada@example.org\"}");
        assertEquals(Json.parse("{\"email\": \"ada@example.org\"}"), body("--json", "@" + file));
    }

    @Test
    @DisplayName("neither or both of --set and --json, a --json that is no object, or a file that is not there: usage errors")
    void usageErrors() {
        for (String[] args : new String[][] {{}, {"--set", "a=1", "--json", "{}"}, {"--json", "[1]"}, {"--json", "@/no/such/file"}}) {
            assertThrows(CommandLine.ParameterException.class, () -> body(args), String.join(" ", args));
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode body(String... args) {
        Probe probe = new Probe();
        new CommandLine(probe).setExpandAtFiles(false).parseArgs(args);
        return probe.options.body(probe.spec);
    }
}
