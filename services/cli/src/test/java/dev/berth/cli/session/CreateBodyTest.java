package dev.berth.cli.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cli.CliRun;
import dev.berth.cli.Json;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The create flags become the body POST /v1/sessions takes, under RequestValidation's field names. */
class CreateBodyTest {

    @Test
    @DisplayName("API-01 every flag lands on its field; numbers stay numbers, sizes text")
    void everyFlag() throws Exception {
        String body = body("--name", "nightly", "--image", "python:3.12", "--type", "batch", "--command", "echo hi; exit 3",
                "--cpu", "0.5", "--mem", "256m", "--resources", "cuda.shares=0.25", "--preset", "s", "--scaling-group", "gpu",
                "--cluster-size", "2", "--cluster-mode", "multi-node",
                "--depends-on", "11111111-1111-1111-1111-111111111111", "--depends-on", "22222222-2222-2222-2222-222222222222",
                "--starts-at", "2026-12-01T08:00:00Z", "--callback-url", "https://hooks.example/berth", "--owner", "AKIAOWNER");
        assertEquals(Json.parse("""
                {"name": "nightly", "image": "python:3.12", "type": "batch", "command": "echo hi; exit 3",
                 "resources": {"cpu": 0.5, "mem": "256m", "cuda.shares": 0.25}, "preset": "s", "scalingGroup": "gpu",
                 "clusterSize": 2, "clusterMode": "multi-node",
                 "dependencies": ["11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"],
                 "startsAt": "2026-12-01T08:00:00Z", "callbackUrl": "https://hooks.example/berth", "ownerAccessKey": "AKIAOWNER"}"""),
                Json.parse(body));
    }

    @Test
    @DisplayName("flags not given are left out, so that the API's defaults apply")
    void onlyWhatIsGiven() throws Exception {
        assertEquals(Json.parse("{\"name\": \"hello\", \"image\": \"busybox\"}"), Json.parse(body("--name", "hello", "--image", "busybox")));
    }

    @Test
    @DisplayName("--resources takes several slots at once; 2 is a number, \"2\" (quoted) text")
    void resources() throws Exception {
        assertEquals(Json.parse("{\"cpu\": 2, \"mem\": \"1g\", \"tpu.device\": \"2\"}"),
                Json.parse(body("--name", "x1234", "--image", "i", "--resources", "cpu=2,mem=1g", "--resources", "tpu.device=\"2\""))
                        .path("resources"));
    }

    @Test
    @DisplayName("a slot given by --cpu and by --resources is a usage error")
    void slotTwice() {
        CreateCommand command = parsed("--name", "x1234", "--image", "i", "--cpu", "1", "--resources", "cpu=2");
        CommandLine.ParameterException twice = assertThrows(CommandLine.ParameterException.class, command::body);
        assertTrue(twice.getMessage().contains("--resources cpu=2"), twice.getMessage());
    }

    @Test
    @DisplayName("a missing --name or --image, or a --cluster-size that is no number, exits 2 before any request")
    void usageErrors() {
        // no keypair and no API: a request would exit 1, so 2 proves none was made
        CliRun missing = CliRun.of(Map.of("BERTH_API", "http://127.0.0.1:9"), "session", "create", "--image", "busybox");
        assertEquals(2, missing.exit(), missing.toString());
        assertTrue(missing.err().contains("--name"), missing.toString());
        CliRun notANumber = CliRun.of(Map.of(), "session", "create", "--name", "x1234", "--image", "i", "--cluster-size", "two");
        assertEquals(2, notANumber.exit(), notANumber.toString());
        assertTrue(notANumber.err().contains("Try 'berth session create --help'."), notANumber.toString());
    }

    private static String body(String... args) {
        return Json.compact(parsed(args).body());
    }

    private static CreateCommand parsed(String... args) {
        CreateCommand command = new CreateCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }
}
