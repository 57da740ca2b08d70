package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.identity.RequestSigner;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a run exits with and says on stderr, against a stand-in API; and that what it sends is signed. */
class ExitStatusTest {

    private static final String ID = "0b9e2d6a-1111-4222-8333-444455556666";

    @TempDir Path dir;
    private final FakeApi api = new FakeApi();

    ExitStatusTest() throws Exception {}

    @AfterEach
    void close() {
        api.close();
    }

    @Test
    @DisplayName("ERR-02 a refusal exits 1 with the server's 'title: detail' on stderr and nothing on stdout")
    void problemExitsOne() throws Exception {
        api.on("GET /v1/sessions/" + ID, exchange -> FakeApi.json(exchange, 404,
                "{\"type\":\"https://api.backend.ai/probs/session-not-found\",\"title\":\"No such session.\",\"status\":404,"
                        + "\"detail\":\"no session with id " + ID + "\"}"));

        CliRun run = CliRun.of(api.env(dir), "session", "get", ID);

        assertEquals(1, run.exit(), run.toString());
        assertEquals("berth: No such session: no session with id " + ID + "\n", run.err());
        assertEquals("", run.out());
    }

    @Test
    @DisplayName("AUTH-02/03 every request carries a date, the API version and a signature over method, path, date and host")
    void signed() throws Exception {
        api.on("GET /v1/sessions", exchange -> FakeApi.json(exchange, 200, "{\"items\":[],\"total\":0}"));

        CliRun run = CliRun.of(api.env(dir), "session", "list", "--status", "RUNNING,PENDING", "--limit", "5");

        assertEquals(0, run.exit(), run.toString());
        assertEquals("ID   NAME   STATUS   TYPE   AGE\n", run.out());
        FakeApi.Request request = api.requests("GET /v1/sessions").getFirst();
        assertEquals("/v1/sessions?status=RUNNING%2CPENDING&limit=5", request.pathAndQuery());
        String date = request.header(RequestSigner.DATE_HEADER);
        String host = api.address().substring("http://".length());
        assertEquals(host, request.header("Host"));
        String expected = RequestSigner.signature(FakeApi.KEYPAIR.secretKey(), OffsetDateTime.parse(date).toInstant(),
                RequestSigner.stringToSign("GET", request.pathAndQuery(), date, host, "", RequestSigner.API_VERSION), host);
        assertEquals(RequestSigner.authorization(FakeApi.KEYPAIR.accessKey(), expected), request.header("Authorization"));
        assertEquals(RequestSigner.API_VERSION, request.header(RequestSigner.VERSION_HEADER));
        assertTrue(Math.abs(OffsetDateTime.parse(date).toInstant().getEpochSecond() - Instant.now().getEpochSecond()) < 60, date);
    }

    @Test
    @DisplayName("an admin create sends the --set fields as its body and shows the answer field by field; --json sends and shows JSON")
    void adminCreate() throws Exception {
        api.on("POST /v1/admin/domains", exchange -> FakeApi.json(exchange, 201,
                "{\"name\":\"research\",\"description\":null,\"isActive\":true,\"totalResourceSlots\":{\"cpu\":8}}"));

        CliRun table = CliRun.of(api.env(dir), "admin", "domains", "create", "--set", "name=research", "--set", "totalResourceSlots={\"cpu\": 8}");
        CliRun json = CliRun.of(api.env(dir), "admin", "domains", "create", "--json", "{\"name\": \"research\"}");

        assertEquals(0, table.exit(), table.toString());
        assertEquals("""
                FIELD                VALUE
                name                 research
                isActive             true
                totalResourceSlots   cpu=8
                """, table.out());
        FakeApi.Request sent = api.requests("POST /v1/admin/domains").getFirst();
        assertEquals(Json.parse("{\"name\":\"research\",\"totalResourceSlots\":{\"cpu\":8}}"), Json.parse(sent.body()));
        assertEquals("application/json", sent.header("Content-Type"));
        assertEquals(0, json.exit(), json.toString());
        assertEquals("research", Json.parse(json.out()).path("name").asText());
        assertEquals(Json.parse("{\"name\":\"research\"}"), Json.parse(api.requests("POST /v1/admin/domains").get(1).body()));
    }

    @Test
    @DisplayName("an API that does not answer exits 1, naming its address")
    void unreachable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Map<String, String> env = new HashMap<>(api.env(dir));
        env.put("BERTH_API", "http://127.0.0.1:" + closedPort);

        CliRun run = CliRun.of(env, "usage");

        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.err().startsWith("berth: cannot reach the API at http://127.0.0.1:" + closedPort + " ("), run.toString());
    }

    @Test
    @DisplayName("no keypair file exits 1 and says how to get one")
    void noKeypair() {
        CliRun run = CliRun.of(Map.of("BERTH_API", api.address(), "BERTH_STATE_DIR", dir.toString()), "session", "list");

        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.err().contains("no keypair file at " + dir.resolve("keypair.json") + "; start the stack with ./berth up"), run.toString());
        assertTrue(api.requests("GET /v1/sessions").isEmpty());
    }

    @Test
    @DisplayName("usage errors exit 2: no command, an unknown one (with a suggestion), a bad --api, owners that exclude each other")
    void usageErrors() throws Exception {
        assertEquals(2, CliRun.of(Map.of()).exit());
        CliRun unknown = CliRun.of(Map.of(), "sesion", "list");
        assertEquals(2, unknown.exit(), unknown.toString());
        assertTrue(unknown.err().contains("session"), unknown.toString());
        CliRun badApi = CliRun.of(api.env(dir), "--api", "localhost:8080", "session", "list");
        assertEquals(2, badApi.exit(), badApi.toString());
        assertTrue(badApi.err().startsWith("berth: --api must be an http:// or https:// address"), badApi.toString());
        CliRun twoOwners = CliRun.of(api.env(dir), "usage", "--project", "p", "--domain", "d");
        assertEquals(2, twoOwners.exit(), twoOwners.toString());
        CliRun badMonth = CliRun.of(api.env(dir), "usage", "--month", "11-2026");
        assertEquals(2, badMonth.exit(), badMonth.toString());
        assertTrue(api.requests("GET /v1/usage").isEmpty());
        assertEquals(0, CliRun.of(Map.of(), "--help").exit());
    }
}
