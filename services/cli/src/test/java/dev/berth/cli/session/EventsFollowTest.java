package dev.berth.cli.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cli.CliRun;
import dev.berth.cli.FakeApi;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code session events -f} against a stand-in API: the event stream, its reconnects, and the fallback to polling. */
@Timeout(30)
class EventsFollowTest {

    private static final String ID = "9f1c7a52-3b1e-4c1f-9d55-1a2b3c4d5e6f";
    private static final String PATH = "/v1/sessions/" + ID;

    @TempDir Path dir;
    private final FakeApi api = new FakeApi();

    EventsFollowTest() throws Exception {}

    @AfterEach
    void close() {
        api.close();
    }

    @Test
    @DisplayName("API-25 follows the session's events, resumes with Last-Event-ID after a drop, and stops once it ended")
    void followsAndResumes() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        api.on("GET " + PATH, exchange -> FakeApi.json(exchange, 200, session("RUNNING", null)));
        api.on("GET /v1/events/sessions", exchange -> {
            OutputStream stream = FakeApi.eventStream(exchange);
            if (connections.incrementAndGet() == 1) {
                // the first connection: a reconnect time, one event, a keep-alive, then it drops
                FakeApi.send(stream, "retry: 20\n\n" + event(1, "started", "RUNNING", null) + ": keep-alive\n\n");
                return;
            }
            FakeApi.send(stream, event(2, "terminating", "TERMINATING", "user-requested")
                    + event(3, "terminated", "TERMINATED", "user-requested"));
            // stays open: the CLI must stop on TERMINATED, not on the end of the stream
            api.holdOpen();
        });

        CliRun run = CliRun.of(api.env(dir), "session", "events", ID, "-f");

        assertEquals(0, run.exit(), run.toString());
        assertEquals(List.of(SessionChange.HEADER,
                "2026-11-25T11:28:01Z   status         RUNNING       -",
                "2026-11-25T11:28:01Z   started        RUNNING       -",
                "2026-11-25T11:28:03Z   terminating    TERMINATING   user-requested",
                "2026-11-25T11:28:03Z   terminated     TERMINATED    user-requested"), run.out().lines().toList());
        List<FakeApi.Request> streams = api.requests("GET /v1/events/sessions");
        assertEquals(2, streams.size(), run.toString());
        assertEquals("/v1/events/sessions?sessionId=" + ID, streams.get(0).pathAndQuery());
        assertNull(streams.get(0).header("Last-Event-ID"));
        assertEquals("1", streams.get(1).header("Last-Event-ID"));
        assertEquals("text/event-stream", streams.get(1).header("Accept"));
        assertTrue(streams.get(1).header("Authorization").startsWith("BackendAI signMethod=HMAC-SHA256, credential=" + FakeApi.KEYPAIR.accessKey() + ":"));
        assertTrue(run.err().contains("the event stream ended; reconnecting in 0.0s after event 1"), run.toString());
    }

    @Test
    @DisplayName("an API without the event stream (404 url-not-found) is followed by polling the session, and says so")
    void fallsBackToPolling() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        api.on("GET " + PATH, exchange -> FakeApi.json(exchange, 200,
                polls.incrementAndGet() < 3 ? session("RUNNING", null) : session("TERMINATED", "self-terminated")));

        CliRun run = CliRun.of(api.env(dir), "session", "events", ID, "--follow");

        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.err().contains("this API has no event stream (GET /v1/events/sessions answered 404 url-not-found); "
                + "following status changes by polling GET " + PATH), run.toString());
        assertEquals(List.of(SessionChange.HEADER,
                "2026-11-25T11:28:01Z   status         RUNNING       -",
                "2026-11-25T11:28:03Z   status         TERMINATED    self-terminated"), run.out().lines().toList());
        assertEquals(3, polls.get());
    }

    @Test
    @DisplayName("any other refusal of the stream is the command's: exit 1 with the server's message, no polling")
    void otherProblemsFail() throws Exception {
        api.on("GET " + PATH, exchange -> FakeApi.json(exchange, 200, session("RUNNING", null)));
        api.on("GET /v1/events/sessions", exchange -> FakeApi.json(exchange, 403,
                "{\"type\":\"https://api.backend.ai/probs/insufficient-privilege\",\"title\":\"Insufficient privilege.\",\"status\":403,"
                        + "\"detail\":\"not yours\"}"));

        CliRun run = CliRun.of(api.env(dir), "session", "events", ID, "-f");

        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.err().contains("berth: Insufficient privilege: not yours"), run.toString());
        assertEquals(1, api.requests("GET " + PATH).size());
    }

    @Test
    @DisplayName("a session that already ended is shown once and not followed")
    void endedIsNotFollowed() throws Exception {
        api.on("GET " + PATH, exchange -> FakeApi.json(exchange, 200, session("TERMINATED", "self-terminated")));

        CliRun run = CliRun.of(api.env(dir), "session", "events", ID, "-f");

        assertEquals(0, run.exit(), run.toString());
        assertEquals(2, run.out().lines().count(), run.toString());
        assertTrue(api.requests("GET /v1/events/sessions").isEmpty());
    }

    private static String session(String status, String statusInfo) {
        String at = status.equals("RUNNING") ? "2026-11-25T11:28:01.250Z" : "2026-11-25T11:28:03.5Z";
        return "{\"sessionId\":\"" + ID + "\",\"status\":\"" + status + "\",\"statusInfo\":" + (statusInfo == null ? "null" : "\"" + statusInfo + "\"")
                + ",\"statusHistory\":{\"PENDING\":\"2026-11-25T11:28:00Z\",\"" + status + "\":\"" + at + "\"}}";
    }

    private static String event(int id, String kind, String status, String reason) {
        String at = status.equals("RUNNING") ? "2026-11-25T11:28:01.300Z" : "2026-11-25T11:28:03.100Z";
        return "id: " + id + "\nevent: session_" + kind + "\ndata: {\"eventId\":\"e" + id + "\",\"kind\":\"" + kind + "\",\"reason\":"
                + (reason == null ? "null" : "\"" + reason + "\"") + ",\"at\":\"" + at + "\",\"session\":" + session(status, reason) + "}\n\n";
    }
}
