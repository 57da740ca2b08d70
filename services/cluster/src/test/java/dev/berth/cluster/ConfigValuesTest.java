package dev.berth.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.Env;
import dev.berth.topology.idle.Checker;
import dev.berth.topology.placement.Policy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The configuration registry: parsing, rules between keys, resolution over the last good values, seeds")
class ConfigValuesTest {

    @Test
    @DisplayName("keys parse their text and are canonical when stored; families match their members only")
    void parses() {
        assertEquals(Duration.ofSeconds(90), ConfigValues.parse("api.rate-window", "90s"));
        assertEquals("15m", ConfigValues.canonical("api.rate-window", "900"));
        assertEquals("lifo", ConfigValues.canonical("scheduler.policy", " LIFO "));
        assertEquals(Optional.of(ConfigKeys.GROUP_POLICY), ConfigKeys.find("scheduler.group.gpu.a100.policy"));
        assertEquals("gpu.a100", ConfigKeys.GROUP_POLICY.member("scheduler.group.gpu.a100.policy"));
        assertTrue(ConfigKeys.find("scheduler.group..policy").isEmpty());
        assertTrue(ConfigKeys.find("scheduler.polcy").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> ConfigValues.parse("webhook.attempts", "0"));
        assertThrows(IllegalArgumentException.class, () -> ConfigValues.parse("scheduler.continue", "yes"));
        assertThrows(IllegalArgumentException.class, () -> ConfigValues.parse("idle.utilization.resource-thresholds.gpu", "5"));
        assertEquals("5", ConfigValues.parse("idle.utilization.resource-thresholds.cpu_util", "5"));
    }

    @Test
    @DisplayName("a write names each unknown key and each bad value, and a rule between keys, before anything is written")
    void validatesWrites() {
        List<Problem> problems = ConfigValues.validateWrite(Map.of(), Map.of(
                "api.rate-window", Optional.of("soon"), "api.unknown", Optional.of("1"), "webhook.attempts", Optional.of("3")));
        assertEquals(List.of("api.rate-window", "api.unknown"), problems.stream().map(Problem::key).toList());

        assertEquals(List.of(new Problem("scheduler.agent-lost-after", "must not be shorter than scheduler.agent-stale-after")),
                ConfigValues.validateWrite(Map.of("scheduler.agent-stale-after", "1m"), Map.of("scheduler.agent-lost-after", Optional.of("30s"))));
        assertEquals(List.of("scheduler.group.gpu.num-retries-to-skip"), ConfigValues.validateWrite(Map.of("scheduler.group.gpu.policy", "drf"),
                Map.of("scheduler.group.gpu.num-retries-to-skip", Optional.of("2"))).stream().map(Problem::key).toList());
        // removing the key that broke the rule is a valid write; a bad stored value left alone does not block one
        assertEquals(List.of(), ConfigValues.validateWrite(Map.of("stray.key", "1"), Map.of("stray.key", Optional.empty())));
        assertEquals(List.of(), ConfigValues.validateWrite(Map.of("scheduler.policy", "lifo", "webhook.timeout", "x"),
                Map.of("scheduler.num-retries-to-skip", Optional.empty(), "api.rate-window", Optional.of("1m"))));
    }

    @Test
    @DisplayName("a stored value that does not parse keeps the last good one in effect, and is reported naming the key")
    void keepsLastGood() {
        ConfigValues good = ConfigValues.resolve(Map.of("api.rate-window", "2m", "scheduler.policy", "drf"), ConfigValues.DEFAULTS).values();
        var next = ConfigValues.resolve(Map.of("api.rate-window", "two minutes", "scheduler.policy", "mof", "stray.key", "1"), good);
        assertEquals(Duration.ofMinutes(2), next.values().get(ConfigKeys.RATE_WINDOW));
        assertEquals("mof", next.values().get(ConfigKeys.SCHEDULER_POLICY));
        assertEquals(List.of("api.rate-window", "stray.key"), next.problems().stream().map(Problem::key).toList());

        // without a last good value, the default applies
        var fresh = ConfigValues.resolve(Map.of("api.rate-window", "two minutes"), ConfigValues.DEFAULTS);
        assertEquals(Duration.ofMinutes(15), fresh.values().get(ConfigKeys.RATE_WINDOW));
    }

    @Test
    @DisplayName("a stored value that breaks a rule between keys is not taken: the key keeps its last good value")
    void rulesRevert() {
        ConfigValues good = ConfigValues.resolve(Map.of("scheduler.agent-lost-after", "5m"), ConfigValues.DEFAULTS).values();
        var next = ConfigValues.resolve(Map.of("scheduler.agent-lost-after", "10s"), good);
        assertEquals(Duration.ofMinutes(5), next.values().get(ConfigKeys.AGENT_LOST_AFTER));
        assertEquals("scheduler.agent-lost-after", next.problems().getFirst().key());
    }

    @Test
    @DisplayName("placement: cluster-wide defaults, and a group's keys over them; idle options over the idle defaults")
    void views() {
        ConfigValues values = ConfigValues.of(Map.of("scheduler.policy", "fifo", "scheduler.num-retries-to-skip", "2",
                "scheduler.pending-timeout", "30s", "scheduler.group.gpu.policy", "drf", "scheduler.group.cpu.continue", "true",
                "idle.enabled", "network_timeout", "idle.network_timeout.threshold", "90"));
        var placement = SchedulerViews.placement(values);
        assertEquals(Policy.fifo(2), placement.groupDefaults().policy());
        assertEquals(Policy.DRF, placement.group("gpu").policy());
        assertEquals(Duration.ofSeconds(30), placement.group("gpu").pendingTimeout());
        assertEquals(Policy.fifo(2), placement.group("cpu").policy());
        assertTrue(placement.group("cpu").continueAfterUnplaceable());
        assertFalse(placement.group("other").continueAfterUnplaceable());
        var idle = SchedulerViews.idle(values);
        assertTrue(idle.enabled().contains(Checker.NETWORK_TIMEOUT));
        assertEquals(Duration.ofSeconds(90), idle.networkTimeout());
    }

    @Test
    @DisplayName("the seed: today's variables (BERTH_IDLE as idle.* keys) overlaid by the file; a bad key stops the start naming it")
    void seed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("berth.properties");
        Files.writeString(file, "scheduler.policy=drf\nwebhook.attempts=3\n");
        Map<String, String> seed = ConfigSeed.from(new Env(Map.of("BERTH_SCHEDULER", "lifo", "BERTH_API_RATE_WINDOW", "60s",
                "BERTH_IDLE", "enabled=utilization;utilization.resource-thresholds.cpu_util=5", "BERTH_CONFIG_FILE", file.toString())));
        assertEquals(Map.of("scheduler.policy", "drf", "webhook.attempts", "3", "api.rate-window", "1m", "idle.enabled", "utilization",
                "idle.utilization.resource-thresholds.cpu_util", "5"), seed);

        Path json = dir.resolve("berth.json");
        Files.writeString(json, "{\"webhook.attempts\": 3, \"webhook.atempts\": 4}");
        var refused = assertThrows(IllegalArgumentException.class, () -> ConfigSeed.from(new Env(Map.of("BERTH_CONFIG_FILE", json.toString()))));
        assertTrue(refused.getMessage().contains("webhook.atempts"), refused.getMessage());
        var badEnv = assertThrows(IllegalArgumentException.class, () -> ConfigSeed.from(new Env(Map.of("BERTH_WEBHOOK_ATTEMPTS", "0"))));
        assertTrue(badEnv.getMessage().contains("webhook.attempts"), badEnv.getMessage());
    }
}
