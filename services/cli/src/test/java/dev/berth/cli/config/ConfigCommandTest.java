package dev.berth.cli.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cli.CliRun;
import dev.berth.cli.FakeApi;
import dev.berth.cli.Json;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCommandTest {

    private static final String ANSWER = """
            {"revision": 42, "problems": [], "keys": [
              {"key": "api.rate-window", "value": "1m", "default": "15m", "source": "etcd", "applies": "live"},
              {"key": "redis.port", "value": "16380", "default": "16379", "source": "seed", "applies": "restart", "pendingRestart": true},
              {"key": "scheduler.policy", "value": "fifo", "default": "fifo", "source": "default", "applies": "live",
               "stored": "round-robin", "rejected": "\\"round-robin\\" must be one of fifo, lifo, drf, mof"}]}""";

    private final FakeApi api = new FakeApi();
    @TempDir Path dir;

    ConfigCommandTest() throws Exception {}

    @AfterEach
    void close() {
        api.close();
    }

    @Test
    @DisplayName("config get shows each key's value, source, when it applies and its default; a value etcd holds but Berth refused is flagged")
    void get() throws Exception {
        api.on("GET /v1/admin/config", exchange -> FakeApi.json(exchange, 200, ANSWER));

        CliRun run = CliRun.of(api.env(dir), "admin", "config", "get");

        assertEquals(0, run.exit(), run.toString());
        assertEquals("""
                configuration at revision 42
                KEY                VALUE                                SOURCE    APPLIES             DEFAULT
                api.rate-window    1m                                   etcd      live                15m
                redis.port         16380                                seed      restart (pending)   16379
                scheduler.policy   fifo (etcd: round-robin, rejected)   default   live                fifo
                """, run.out());
    }

    @Test
    @DisplayName("config set sends every KEY=VALUE in one PATCH, unset sends nulls; a pair without '=' is a usage error and sends nothing")
    void setAndUnset() throws Exception {
        api.on("PATCH /v1/admin/config", exchange -> FakeApi.json(exchange, 200, ANSWER));

        CliRun set = CliRun.of(api.env(dir), "admin", "config", "set", "api.rate-window=1m", "scheduler.group.gpu.policy=drf");
        CliRun unset = CliRun.of(api.env(dir), "admin", "config", "unset", "redis.port");
        CliRun bad = CliRun.of(api.env(dir), "admin", "config", "set", "api.rate-window");

        assertEquals(0, set.exit(), set.toString());
        assertEquals(Json.parse("{\"api.rate-window\": \"1m\", \"scheduler.group.gpu.policy\": \"drf\"}"),
                Json.parse(api.requests("PATCH /v1/admin/config").get(0).body()));
        assertEquals(Json.parse("{\"redis.port\": null}"), Json.parse(api.requests("PATCH /v1/admin/config").get(1).body()));
        assertEquals(2, bad.exit(), bad.toString());
        assertTrue(bad.err().contains("\"api.rate-window\" is not KEY=VALUE"), bad.toString());
        assertEquals(2, api.requests("PATCH /v1/admin/config").size());
    }

    @Test
    @DisplayName("a refused write prints the server's problem naming the key, exit 1")
    void refused() throws Exception {
        api.on("PATCH /v1/admin/config", exchange -> FakeApi.json(exchange, 400, """
                {"type": "https://berth.dev/problems/invalid-api-params", "title": "Missing or invalid API parameters.", "status": 400,
                 "detail": "webhook.attempts: \\"0\\" must be from 1 to 100"}"""));

        CliRun run = CliRun.of(api.env(dir), "admin", "config", "set", "webhook.attempts=0");

        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.err().contains("webhook.attempts"), run.toString());
    }
}
