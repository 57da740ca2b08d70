package dev.berth.launcher;

import static dev.berth.launcher.TestStack.DEADLINE;
import static dev.berth.launcher.TestStack.JSON;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.common.KafkaClients;
import dev.berth.identity.Keys;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.ResourceLimits;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every limit type of the resource policies, changed through the admin API, enforced by the
 * scheduler: the change goes PostgreSQL → outbox → compacted topic → admission's global table.
 * A user of its own domain and project runs one small session; a second one that the new limit
 * does not allow waits PENDING with that predicate failed, and runs once the first is gone. The
 * policy's idle timeout and maximum lifetime end sessions through the idle checks, and what those
 * sessions held is metered on the usage topics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PoliciesIT {


    @TempDir static Path stateDir;
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String domain = "lim-" + suffix;
    private final String project = "lim-project-" + suffix;
    private final String policy = "lim-policy-" + suffix;
    private TestStack stack;
    private Keys.Keypair superadmin;
    private Keys.Keypair user;
    private String userId;

    @BeforeAll
    void start() throws Exception {
        stack = TestStack.start(stateDir, "policy-agent", Map.of(
                "BERTH_AGENT_CPU", "4",
                "BERTH_AGENT_MEM", "4g",
                "BERTH_IDLE", "enabled=network_timeout"));
        superadmin = stack.superadmin();

        ok(stack.sendJson(superadmin, "POST", "/v1/admin/domains", body().put("name", domain)));
        ok(stack.sendJson(superadmin, "POST", "/v1/admin/projects", body().put("name", project).put("domain", domain)));
        ok(stack.send(superadmin, "PUT", "/v1/admin/scaling-groups/default/domains/" + domain, null));
        ok(stack.sendJson(superadmin, "POST", "/v1/admin/resource-policies", body().put("name", policy)));
        JsonNode created = ok(stack.sendJson(superadmin, "POST", "/v1/admin/users", body().put("email", "lim-" + suffix + "@example.org")
                .put("username", "lim-" + suffix).put("domain", domain)));
        userId = created.path("id").asText();
        user = new Keys.Keypair(created.path("keypair").path("accessKey").asText(), created.path("keypair").path("secretKey").asText());
        ok(stack.send(superadmin, "PUT", "/v1/admin/projects/" + project + "/members/" + userId, null));
        ok(stack.sendJson(superadmin, "PATCH", "/v1/admin/keypairs/" + user.accessKey(), body().put("resourcePolicy", policy)));
    }

    @AfterAll
    void stop() throws Exception {
        if (stack != null) stack.close();
    }

    @Test
    @Order(1)
    @DisplayName("SCH-08 max_concurrent_sessions set through the admin API holds a second session PENDING")
    void concurrency() throws Exception {
        ok(stack.sendJson(superadmin, "PATCH", "/v1/admin/resource-policies/" + policy, body().put("maxConcurrentSessions", 1)));
        awaitLimits("keypair-policy:" + policy, limits -> limits.getMaxConcurrentSessions() == 1);

        enforced("concurrency");

        ok(stack.sendJson(superadmin, "PATCH", "/v1/admin/resource-policies/" + policy, body().put("maxConcurrentSessions", 0)));
        awaitLimits("keypair-policy:" + policy, limits -> limits.getMaxConcurrentSessions() == 0);
    }

    @Test
    @Order(2)
    @DisplayName("SCH-09 the keypair policy's total_resource_slots holds a session that would exceed it")
    void keypairSlots() throws Exception {
        limitCpu("/v1/admin/resource-policies/" + policy, "keypair-policy:" + policy, "keypair_resource_limit");
    }

    @Test
    @Order(3)
    @DisplayName("SCH-10 a user's total_resource_slots holds a session that would exceed it")
    void userSlots() throws Exception {
        limitCpu("/v1/admin/users/" + userId, "user:" + userId, "user_resource_limit");
    }

    @Test
    @Order(4)
    @DisplayName("SCH-10 a project's total_resource_slots holds a session that would exceed it")
    void projectSlots() throws Exception {
        limitCpu("/v1/admin/projects/" + project, "project:" + project, "user_group_resource_limit");
    }

    @Test
    @Order(5)
    @DisplayName("SCH-10 a domain's total_resource_slots holds a session that would exceed it")
    void domainSlots() throws Exception {
        limitCpu("/v1/admin/domains/" + domain, "domain:" + domain, "domain_resource_limit");
    }

    @Test
    @Order(6)
    @DisplayName("IDL-10 the policy's idle_timeout set through the admin API ends a session nobody uses, idle-timeout, not before; its report counts down; USG its use is on the usage topic and GET /v1/usage")
    void idleTimeout() throws Exception {
        ok(stack.sendJson(superadmin, "PATCH", "/v1/admin/resource-policies/" + policy, body().put("idleTimeout", 3)));
        awaitLimits("keypair-policy:" + policy, limits -> limits.getIdleTimeoutSeconds() == 3);
        String id = create("idle", "0.5");
        stack.awaitStatus(user, id, "RUNNING", DEADLINE);

        JsonNode report = await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                .until(() -> stack.get(user, "/v1/sessions/" + id + "/idle-checks").path("idleChecks").path("network_timeout"), r -> r.has("remaining"));
        double remaining = report.path("remaining").asDouble();
        assertTrue(remaining > 0 && remaining <= 3, report.toString());
        assertEquals("expire_after", report.path("remaining_time_type").asText());

        JsonNode ended = stack.awaitStatus(user, id, "TERMINATED", DEADLINE);
        assertEquals("idle-timeout", ended.path("statusInfo").asText(), ended.toString());
        assertTrue(heldFor(ended).toMillis() >= 3000, "ended only after its idle timeout: " + ended);
        assertMetered(ended, 0.5);
        double held = 0.5 * heldFor(ended).toMillis() / 1000.0;
        JsonNode usage = await().atMost(DEADLINE).pollInterval(Duration.ofMillis(200))
                .until(() -> stack.get(user, "/v1/usage?session=" + id), u -> Math.abs(u.path("totals").path("allocatedSlotSeconds").path("cpu").asDouble() - held) < 1e-6);
        assertEquals(1, usage.path("days").size(), usage.toString());
        assertTrue(stack.get(user, "/v1/usage").path("totals").path("allocatedSlotSeconds").path("cpu").asDouble() >= held, "the user's own month holds the session's use");
        assertEquals(403, stack.send(user, "GET", "/v1/usage?project=" + project, null).statusCode(), "a project's usage is for admins");
        ok(stack.sendJson(superadmin, "PATCH", "/v1/admin/resource-policies/" + policy, body().put("idleTimeout", 0)));
        awaitLimits("keypair-policy:" + policy, limits -> limits.getIdleTimeoutSeconds() == 0);
    }

    @Test
    @Order(7)
    @DisplayName("IDL-11 the policy's max_session_lifetime ends a session that lived that long, idle-session-lifetime, though it is used")
    void sessionLifetime() throws Exception {
        ok(stack.sendJson(superadmin, "PATCH", "/v1/admin/resource-policies/" + policy, body().put("maxSessionLifetime", 3)));
        awaitLimits("keypair-policy:" + policy, limits -> limits.getMaxSessionLifetimeSeconds() == 3);
        String id = create("lifetime", "0.5");
        stack.awaitStatus(user, id, "RUNNING", DEADLINE);

        JsonNode ended = await().atMost(DEADLINE).pollInterval(Duration.ofMillis(200)).until(() -> {
            stack.send(user, "GET", "/v1/sessions/" + id + "/logs", null); // activity, which the lifetime does not care about
            return stack.get(user, "/v1/sessions/" + id);
        }, session -> "TERMINATED".equals(session.path("status").asText()));
        assertEquals("idle-session-lifetime", ended.path("statusInfo").asText(), ended.toString());
        ok(stack.sendJson(superadmin, "PATCH", "/v1/admin/resource-policies/" + policy, body().put("maxSessionLifetime", 0)));
        awaitLimits("keypair-policy:" + policy, limits -> limits.getMaxSessionLifetimeSeconds() == 0);
    }

    /** From RUNNING to the end, by the session's own history. */
    private static Duration heldFor(JsonNode session) {
        return Duration.between(Instant.parse(session.path("statusHistory").path("RUNNING").asText()),
                Instant.parse(session.path("terminatedAt").asText()));
    }

    /**
     * USG: the session's daily usage records, latest per window, add up to cpu × the time it held it;
     * read as an analytics consumer would, with a plain consumer and the published schema only.
     */
    private void assertMetered(JsonNode session, double cpu) throws Exception {
        String key = "session:" + session.path("sessionId").asText();
        double expected = cpu * heldFor(session).toMillis() / 1000.0;
        String topic = Topics.withPrefix("").usageDaily.name();
        var decoder = new BinaryMessageDecoder<GenericRecord>(GenericData.get(),
                new Schema.Parser().parse(Path.of("../../schemas/src/main/avro/UsageRecord.avsc").toFile()));
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            Map<Object, GenericRecord> latest = new HashMap<>();
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.stack().kafkaBootstrap(),
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
                while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                    for (var record : consumer.poll(Duration.ofMillis(200))) {
                        if (!key.equals(record.key())) continue;
                        GenericRecord usage = decoder.decode(record.value());
                        latest.put(usage.get("windowStart"), usage);
                    }
                }
            }
            double metered = latest.values().stream()
                    .mapToDouble(u -> ((Map<?, ?>) u.get("allocatedSlotSeconds")).entrySet().stream()
                            .filter(e -> e.getKey().toString().equals("cpu")).mapToDouble(e -> (Double) e.getValue()).sum())
                    .sum();
            assertEquals(expected, metered, 1e-6, "cpu-seconds of " + key + ": " + latest.values());
        });
    }

    /** Limits cpu to 1 at {@code path}, checks {@code predicate} holds the second session, then lifts the limit. */
    private void limitCpu(String path, String key, String predicate) throws Exception {
        ok(stack.sendJson(superadmin, "PATCH", path, body().set("totalResourceSlots", body().put("cpu", 1))));
        awaitLimits(key, limits -> limits.getTotalResourceSlots().getOrDefault("cpu", 0L) == 1000L);

        enforced(predicate);

        ok(stack.sendJson(superadmin, "PATCH", path, body().set("totalResourceSlots", body())));
        awaitLimits(key, limits -> limits.getTotalResourceSlots().isEmpty());
    }

    /** A first session (0.5 cpu) runs; a second (0.75 cpu) waits with {@code predicate} failed, and runs once the first is gone. */
    private void enforced(String predicate) throws Exception {
        String first = create("first", "0.5");
        stack.awaitStatus(user, first, "RUNNING", DEADLINE);
        String second = create("second", "0.75");

        JsonNode waiting = await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                .until(() -> stack.get(user, "/v1/sessions/" + second), session -> failed(session, predicate));
        assertEquals("PENDING", waiting.path("status").asText(), waiting.toString());

        assertEquals(202, stack.send(user, "DELETE", "/v1/sessions/" + first, null).statusCode());
        stack.awaitStatus(user, first, "TERMINATED", DEADLINE);
        stack.awaitStatus(user, second, "RUNNING", DEADLINE);
        assertEquals(202, stack.send(user, "DELETE", "/v1/sessions/" + second, null).statusCode());
        stack.awaitStatus(user, second, "TERMINATED", DEADLINE);
    }

    private static boolean failed(JsonNode session, String predicate) {
        for (JsonNode failure : session.path("scheduler").path("failedPredicates")) {
            if (predicate.equals(failure.path("name").asText())) return true;
        }
        return false;
    }

    private String create(String name, String cpu) throws Exception {
        HttpResponse<String> created = stack.sendJson(user, "POST", "/v1/sessions", body().put("name", name + "-" + UUID.randomUUID().toString().substring(0, 8))
                .put("image", "busybox").put("command", "sleep 600")
                .set("resources", body().put("cpu", Double.parseDouble(cpu)).put("mem", "32m")));
        assertEquals(201, created.statusCode(), created.body());
        JsonNode session = JSON.readTree(created.body());
        return session.path("sessionId").asText();
    }

    /** Waits until the compacted topic holds the change, so the scheduler's global table is about to have it. */
    private void awaitLimits(String key, Predicate<ResourceLimits> wanted) {
        String topic = Topics.withPrefix("").configLimits.name();
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100)).until(() -> {
            ResourceLimits latest = null;
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaClients.consumer(stack.stack().kafkaBootstrap(), null, "policies-it"),
                    new StringDeserializer(), new ByteArrayDeserializer())) {
                TopicPartition partition = new TopicPartition(topic, 0);
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
                long end = consumer.endOffsets(List.of(partition)).get(partition);
                while (consumer.position(partition) < end) {
                    for (var record : consumer.poll(Duration.ofMillis(200))) {
                        if (key.equals(record.key())) latest = record.value() == null ? null : BerthSerdes.RESOURCE_LIMITS.deserialize(topic, record.value());
                    }
                }
            }
            return latest != null && wanted.test(latest);
        });
    }

    private static ObjectNode body() {
        return JSON.createObjectNode();
    }

    private static JsonNode ok(HttpResponse<String> response) throws Exception {
        assertTrue(response.statusCode() == 200 || response.statusCode() == 201, response.statusCode() + " " + response.body());
        return JSON.readTree(response.body());
    }
}
