package dev.berth.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cluster.TestEtcd;
import dev.berth.common.Env;
import dev.berth.identity.PgSettings;
import dev.berth.identity.TestDatabases;
import dev.berth.launcher.Stack;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against a whole stack in this JVM (broker, scheduler, agent, API), run as {@code main}
 * runs it: signed with the keypair the stack's first start wrote to its state directory, which is
 * where the CLI looks by default.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CliIT {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir static Path stateDir;
    private final PgSettings pg = TestDatabases.freshSchema();
    private Stack stack;
    private Map<String, String> env;
    private String batchId;

    @BeforeAll
    void start() throws Exception {
        stack = Stack.start(new Env(Map.ofEntries(
                // its settings seed a configuration of its own, not the one other stacks on this etcd read
                Map.entry("BERTH_CONFIG_PREFIX", TestEtcd.freshPrefix()),
                Map.entry("BERTH_STATE_DIR", stateDir.toString()),
                Map.entry("BERTH_PG_SCHEMA", pg.schema()),
                Map.entry("BERTH_KAFKA_PORT", "0"),
                Map.entry("BERTH_KAFKA_CONTROLLER_PORT", "0"),
                Map.entry("BERTH_API_PORT", "0"),
                Map.entry("BERTH_AGENT_ID", "cli-agent"),
                Map.entry("BERTH_AGENT_CPU", "2"),
                Map.entry("BERTH_AGENT_MEM", "2g"),
                Map.entry("BERTH_AGENT_HEARTBEAT", "500ms"),
                Map.entry("BERTH_AGENT_KILL_GRACE", "2s"))), step -> {});
        env = Map.of("BERTH_STATE_DIR", stateDir.toString(), "BERTH_API", "http://127.0.0.1:" + stack.apiPort());
    }

    @AfterAll
    void stop() throws Exception {
        if (stack != null) stack.close();
        TestDatabases.drop(pg);
    }

    @Test
    @Order(1)
    @DisplayName("session create --wait: a batch command that exits 0 ends TERMINATED, shown with exit 0 and its progress on stderr")
    void createAndWait() {
        CliRun run = cli("session", "create", "--name", "cli-batch", "--image", "busybox", "--type", "batch",
                "--command", "echo hello-from-cli; exit 0", "--cpu", "0.5", "--mem", "64m", "--wait");

        assertEquals(0, run.exit(), run.toString());
        String row = run.out().lines().toList().get(1);
        assertTrue(row.matches("\\S+\\s+cli-batch\\s+TERMINATED\\s+batch\\s+\\d+[smhd]"), run.toString());
        batchId = row.split("\\s+")[0];
        assertTrue(run.err().lines().anyMatch(line -> line.startsWith("TERMINATED ") && line.endsWith("self-terminated")), run.toString());
    }

    @Test
    @Order(2)
    @DisplayName("session list: a table with the session under ID NAME STATUS TYPE AGE")
    void list() {
        CliRun run = cli("session", "list");

        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().startsWith("ID "), run.toString());
        assertTrue(run.out().lines().anyMatch(line -> line.matches(batchId + "\\s+cli-batch\\s+TERMINATED\\s+batch\\s+\\S+")), run.toString());
    }

    @Test
    @Order(3)
    @DisplayName("session get --json: the server's session, with its exit code and result")
    void getJson() throws Exception {
        CliRun run = cli("session", "get", batchId, "--json");

        assertEquals(0, run.exit(), run.toString());
        JsonNode session = Json.parse(run.out());
        assertEquals(batchId, session.path("sessionId").asText());
        assertEquals("TERMINATED", session.path("status").asText());
        assertEquals(0, session.path("exitCode").asInt(-1));
        assertEquals("SUCCESS", session.path("result").asText());
    }

    @Test
    @Order(4)
    @DisplayName("session logs: the command's output")
    void logs() {
        // the agent stores a kernel's last output as it ends, beside (not before) the status change
        CliRun run = await().atMost(DEADLINE).until(() -> cli("session", "logs", batchId), logs -> logs.out().contains("hello-from-cli"));
        assertEquals(0, run.exit(), run.toString());
        assertEquals("hello-from-cli\n", cli("session", "logs", batchId, "--tail", "1").out());
    }

    @Test
    @Order(5)
    @DisplayName("events, idle-checks and events -f of the ended session: its history, no reports, and a follow that ends at once")
    void historyOfAnEndedSession() {
        CliRun history = cli("session", "events", batchId);
        assertEquals(0, history.exit(), history.toString());
        assertTrue(history.out().lines().anyMatch(line -> line.endsWith("   PENDING")), history.toString());
        assertTrue(history.out().lines().anyMatch(line -> line.endsWith("   TERMINATED")), history.toString());

        CliRun follow = cli("session", "events", batchId, "-f");
        assertEquals(0, follow.exit(), follow.toString());
        assertTrue(follow.out().lines().anyMatch(line -> line.contains(" TERMINATED ")), follow.toString());

        CliRun idle = cli("idle-checks", batchId);
        assertEquals(0, idle.exit(), idle.toString());
        assertTrue(idle.out().startsWith("CHECKER "), idle.toString());
    }

    @Test
    @Order(6)
    @DisplayName("ERR-01 an unknown session exits 1 with the server's 'title: detail'")
    void unknownSession() {
        String unknown = UUID.randomUUID().toString();
        CliRun run = cli("session", "get", unknown);

        assertEquals(1, run.exit(), run.toString());
        assertEquals("berth: No such session: no session with id " + unknown + "\n", run.err());
        assertEquals("", run.out());
    }

    @Test
    @Order(7)
    @DisplayName("admin domains create and list; a second create of the same name is the server's 409")
    void adminDomains() {
        CliRun created = cli("admin", "domains", "create", "--set", "name=cli-research", "--set", "description=made by the CLI",
                "--set", "totalResourceSlots={\"cpu\": 4, \"mem\": \"8g\"}");
        assertEquals(0, created.exit(), created.toString());
        assertTrue(created.out().lines().anyMatch(line -> line.matches("name\\s+cli-research")), created.toString());

        CliRun list = cli("admin", "domains", "list", "--filter", "isActive=true");
        assertEquals(0, list.exit(), list.toString());
        assertTrue(list.out().startsWith("NAME "), list.toString());
        assertTrue(list.out().lines().anyMatch(line -> line.matches("cli-research\\s+true\\s+cpu=4,mem=8589934592\\s+made by the CLI")),
                list.toString());
        assertTrue(list.out().lines().anyMatch(line -> line.startsWith("default ")), list.toString());

        CliRun again = cli("admin", "domains", "create", "--json", "{\"name\": \"cli-research\"}");
        assertEquals(1, again.exit(), again.toString());
        assertTrue(again.err().startsWith("berth: The object already exists: "), again.toString());
    }

    @Test
    @Order(8)
    @DisplayName("usage: a month of the default project as a table, and as the server's JSON")
    void usage() throws Exception {
        CliRun table = cli("usage", "--project", "default");
        assertEquals(0, table.exit(), table.toString());
        assertTrue(table.out().startsWith("project default, "), table.toString());
        assertTrue(table.out().lines().anyMatch(line -> line.startsWith("TOTAL ")), table.toString());

        CliRun json = cli("usage", "--project", "default", "--month", "2026-11", "--json");
        assertEquals(0, json.exit(), json.toString());
        JsonNode usage = Json.parse(json.out());
        assertEquals("default", usage.path("project").asText());
        assertEquals("2026-11", usage.path("month").asText());
        assertTrue(usage.path("totals").isObject(), json.toString());
    }

    @Test
    @Order(9)
    @DisplayName("an interactive session: create --wait stops once it runs; rename, then rm ends it")
    void renameAndRemove() {
        CliRun created = cli("session", "create", "--name", "cli-shell", "--image", "python:3", "--cpu", "0.5", "--mem", "64m", "--wait");
        assertEquals(0, created.exit(), created.toString());
        String row = created.out().lines().toList().get(1);
        assertTrue(row.matches("\\S+\\s+cli-shell\\s+RUNNING\\s+interactive\\s+\\S+"), created.toString());
        String id = row.split("\\s+")[0];

        CliRun renamed = cli("session", "rename", id, "cli-shell-2");
        assertEquals(0, renamed.exit(), renamed.toString());
        assertTrue(renamed.out().lines().toList().get(1).matches(id + "\\s+cli-shell-2\\s+\\S+"), renamed.toString());
        await().atMost(DEADLINE).until(() -> cli("session", "get", id, "--json").out(), out -> out.contains("\"cli-shell-2\""));

        CliRun removed = cli("session", "rm", id);
        assertEquals(0, removed.exit(), removed.toString());
        await().atMost(DEADLINE).until(() -> cli("session", "get", id, "--json").out(),
                out -> out.contains("\"TERMINATED\"") || out.contains("\"CANCELLED\""));
    }

    private CliRun cli(String... args) {
        return CliRun.of(env, args);
    }

    @Test
    @Order(10)
    @DisplayName("admin config: a set with one bad value exits 1 naming the key and changes nothing; a good set applies and get shows it came from etcd")
    void adminConfig() {
        CliRun refused = cli("admin", "config", "set", "webhook.attempts=3", "webhook.backoff=later");
        assertEquals(1, refused.exit(), refused.toString());
        assertTrue(refused.err().contains("webhook.backoff"), refused.toString());
        CliRun untouched = cli("admin", "config", "get", "webhook.attempts");
        assertEquals(0, untouched.exit(), untouched.toString());
        assertTrue(untouched.out().lines().noneMatch(line -> line.matches("webhook\\.attempts\\s+3\\s.*")), "the good half was not applied: " + untouched);

        CliRun set = cli("admin", "config", "set", "webhook.attempts=3");
        assertEquals(0, set.exit(), set.toString());
        CliRun shown = cli("admin", "config", "get", "webhook.attempts");
        assertTrue(shown.out().lines().anyMatch(line -> line.matches("webhook\\.attempts\\s+3\\s+etcd\\s.*")), shown.toString());
    }
}
