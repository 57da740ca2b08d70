package dev.berth.cli.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cli.CliRun;
import dev.berth.cli.FakeApi;
import dev.berth.cli.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code create --wait} and {@code logs -f} against a stand-in API whose session moves on at each poll. */
@Timeout(30)
class WaitAndLogsTest {

    private static final String ID = "5d1e0f00-aaaa-4bbb-8ccc-ddddeeeeffff";
    private static final String PATH = "/v1/sessions/" + ID;

    @TempDir Path dir;
    private final FakeApi api = new FakeApi();
    private final AtomicInteger polls = new AtomicInteger();

    WaitAndLogsTest() throws Exception {}

    @AfterEach
    void close() {
        api.close();
    }

    @Test
    @DisplayName("--wait shows each status change on stderr and exits 1 when the batch command failed, saying why")
    void waitForAFailure() throws Exception {
        api.on("POST /v1/sessions", exchange -> FakeApi.json(exchange, 201,
                "{\"sessionId\":\"" + ID + "\",\"sessionName\":\"count\",\"status\":\"PENDING\",\"servicePorts\":[]}"));
        List<String> statuses = List.of("PENDING", "PENDING", "SCHEDULED", "TERMINATED");
        api.on("GET " + PATH, exchange -> {
            String status = statuses.get(Math.min(polls.getAndIncrement(), statuses.size() - 1));
            boolean ended = status.equals("TERMINATED");
            FakeApi.json(exchange, 200, "{\"sessionId\":\"" + ID + "\",\"name\":\"count\",\"status\":\"" + status + "\",\"type\":\"batch\""
                    + ",\"statusInfo\":" + (ended ? "\"self-terminated\"" : "null") + ",\"result\":\"" + (ended ? "FAILURE" : "UNDEFINED")
                    + "\",\"exitCode\":" + (ended ? "3" : "null") + ",\"createdAt\":\"2026-11-25T11:28:00Z\"}");
        });

        CliRun run = CliRun.of(api.env(dir), "session", "create", "--name", "count", "--image", "busybox", "--type", "batch",
                "--command", "echo counting; exit 3", "--wait");

        assertEquals(1, run.exit(), run.toString());
        List<String> progress = run.err().lines().map(line -> line.split("\\s+")[0]).toList();
        assertEquals(List.of("PENDING", "SCHEDULED", "TERMINATED", "berth:"), progress, run.toString());
        assertTrue(run.err().contains("berth: session " + ID + " ended TERMINATED (self-terminated), exit code 3"), run.toString());
        assertTrue(run.out().lines().toList().get(1).matches(ID + "\\s+count\\s+TERMINATED\\s+batch\\s+\\S+"), run.toString());
        assertEquals("batch", Json.parse(api.requests("POST /v1/sessions").getFirst().body()).path("type").asText());
    }

    @Test
    @DisplayName("logs -f prints the --tail lines, then each new line once as the output grows, and stops after the session ended")
    void followLogs() throws Exception {
        List<String> outputs = List.of("zero\none\n", "zero\none\ntwo\n", "zero\none\ntwo\nthree\n");
        AtomicInteger reads = new AtomicInteger();
        api.on("GET " + PATH + "/logs", exchange -> {
            String logs = outputs.get(Math.min(reads.getAndIncrement(), outputs.size() - 1));
            FakeApi.json(exchange, 200, Json.compact(Json.object().put("sessionId", ID).put("logs", logs)));
        });
        api.on("GET " + PATH, exchange -> FakeApi.json(exchange, 200,
                "{\"sessionId\":\"" + ID + "\",\"status\":\"" + (polls.incrementAndGet() < 2 ? "RUNNING" : "TERMINATED") + "\"}"));

        CliRun run = CliRun.of(api.env(dir), "session", "logs", ID, "-f", "--tail", "1");

        assertEquals(0, run.exit(), run.toString());
        assertEquals("one\ntwo\nthree\n", run.out());
        assertEquals(3, reads.get(), "one read more after the session ended");
        assertTrue(api.requests("GET " + PATH + "/logs").stream().noneMatch(request -> request.pathAndQuery().contains("tail")));
    }

    @Test
    @DisplayName("logs without -f prints the output as the API has it, --tail passed on")
    void logsOnce() throws Exception {
        api.on("GET " + PATH + "/logs", exchange -> FakeApi.json(exchange, 200, "{\"sessionId\":\"" + ID + "\",\"logs\":\"b\\nc\\n\",\"lines\":2}"));

        CliRun run = CliRun.of(api.env(dir), "session", "logs", ID, "--tail", "2");

        assertEquals(0, run.exit(), run.toString());
        assertEquals("b\nc\n", run.out());
        assertEquals(PATH + "/logs?tail=2", api.requests("GET " + PATH + "/logs").getFirst().pathAndQuery());
        assertEquals(2, CliRun.of(api.env(dir), "session", "logs", ID, "-f", "--json").exit());
    }
}
