package dev.berth.faults;

import static dev.berth.faults.SignedClient.body;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.agent.AgentConfig;
import dev.berth.agent.SimulatedFleet;
import dev.berth.api.ApiMain;
import dev.berth.cluster.TestEtcd;
import dev.berth.common.BerthConfig;
import dev.berth.common.Env;
import dev.berth.common.KafkaClients;
import dev.berth.identity.KeypairFile;
import dev.berth.identity.Keys;
import dev.berth.identity.PgSettings;
import dev.berth.identity.TestDatabases;
import dev.berth.kafka.EmbeddedKafka;
import dev.berth.scheduler.SchedulerMain;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.TopicBootstrapper;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.schema.avro.CreateKernel;
import dev.berth.schema.avro.KeypairConfig;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionRequest;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.topology.lifecycle.Transitions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two scheduler processes share the Streams applications (same ids, so the partitions are split
 * between them) under a steady stream of creates and deletes through the API. One is killed with
 * SIGKILL a third of the way in; a replacement joins; the other original is killed two thirds in,
 * so every task has moved away from a dead process at least once, its state restored from the
 * changelogs. Afterwards, from the topics alone: every accepted session ended exactly once, no
 * kernel was started twice, no agent was ever over capacity, the limited keypair never held more
 * sessions than its policy allows, each session's events are in order, and the agents run nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchedulerKillIT {

    private static final Duration READY = Duration.ofSeconds(90);
    private static final Duration SETTLE = Duration.ofSeconds(120);
    private static final int STEPS = 200;
    /** One step every 130 ms: creates and deletes for 26 s. */
    private static final Duration STEP = Duration.ofMillis(130);
    private static final int LIMIT = 2;
    private static final int AGENTS = 3;

    private final Path dir = Path.of("target", "faults", "scheduler-kill-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
    private final PgSettings pg = TestDatabases.freshSchema();
    private final List<ChildJvm> children = new ArrayList<>();
    private final Topics topics = Topics.withPrefix("", 4);
    private final String configPrefix = TestEtcd.freshPrefix();
    private EmbeddedKafka kafka;
    private SimulatedFleet fleet;
    private SignedClient api;
    private Keys.Keypair admin;
    private Keys.Keypair limited;

    @BeforeAll
    void start() throws Exception {
        kafka = EmbeddedKafka.startTemporary();
        try (Admin admin = Admin.create(KafkaClients.admin(kafka.bootstrapServers()))) {
            TopicBootstrapper.ensure(admin, topics, (short) 1);
        }
        ChildJvm first = scheduler("scheduler-1");
        ChildJvm second = scheduler("scheduler-2");
        int apiPort = ChildJvm.freePort();
        Map<String, String> apiEnv = new HashMap<>(common("api"));
        apiEnv.put("BERTH_API_PORT", Integer.toString(apiPort));
        apiEnv.putAll(FaultEnv.postgres(pg));
        ChildJvm apiJvm = child("api", ApiMain.class, apiEnv);
        for (ChildJvm scheduler : List.of(first, second)) scheduler.awaitHealthy(opsHealth(scheduler), READY);

        AgentConfig agents = AgentConfig.from(new Env(Map.of("BERTH_AGENT_CPU", "2", "BERTH_AGENT_MEM", "4g", "BERTH_AGENT_HEARTBEAT", "1s",
                "BERTH_AGENT_SIMULATED_RUN", "3s", "BERTH_AGENT_KILL_GRACE", "0s", "BERTH_REDIS_HOST", "none"))).withRuntime("simulated");
        fleet = SimulatedFleet.start(new BerthConfig(kafka.bootstrapServers(), "", 4, dir.resolve("agents")), agents, "fault-agent-", AGENTS);
        apiJvm.awaitHealthy(URI.create("http://127.0.0.1:" + apiPort + "/v1/health"), READY);
        api = new SignedClient(apiPort);
        admin = KeypairFile.read(KeypairFile.in(dir.resolve("api"))).orElseThrow();
        limited = limitedUser();
    }

    @AfterAll
    void stop() throws Exception {
        for (ChildJvm child : children.reversed()) child.close();
        if (fleet != null) fleet.close();
        if (kafka != null) kafka.close();
        TestDatabases.drop(pg);
    }

    @Test
    @DisplayName("invariants 1-5 hold while scheduler instances are killed with SIGKILL under load")
    void killedSchedulersLoseNothing() throws Exception {
        Random random = new Random(42);
        Map<String, Boolean> accepted = new LinkedHashMap<>(); // id -> runs until deleted
        List<String> failures = new ArrayList<>();
        Instant firstKill = null;
        Instant secondKill = null;
        long began = System.nanoTime();
        for (int step = 0; step < STEPS; step++) {
            pace(began, step);
            if (step == STEPS / 3) {
                firstKill = kill("scheduler-1");
                scheduler("scheduler-3"); // joins while the load goes on; healthy or not, the survivor must carry on
            }
            if (step == 2 * STEPS / 3) {
                ChildJvm replacement = named("scheduler-3");
                replacement.awaitHealthy(opsHealth(replacement), READY);
                secondKill = kill("scheduler-2");
            }
            boolean interactive = random.nextBoolean();
            Keys.Keypair owner = random.nextInt(3) == 0 ? limited : admin;
            SignedClient.Answer created = api.send(owner, "POST", "/v1/sessions", session(step, interactive));
            if (created.status() == 201) accepted.put(created.body().path("sessionId").asText(), interactive);
            else failures.add("create " + step + ": " + created.status() + " " + created.body());
            if (random.nextInt(10) < 4) deleteOne(random, accepted, failures);
        }
        assertEquals(List.of(), failures, "the API answers every request while schedulers die");
        assertTrue(accepted.size() > STEPS * 9 / 10, "accepted " + accepted.size());

        // every session still alive is deleted; then all must end
        await().atMost(SETTLE).pollInterval(Duration.ofSeconds(2)).until(() -> {
            Map<String, SessionStatus> last = lastStatus(events());
            for (String id : accepted.keySet()) {
                SessionStatus status = last.get(id);
                if (status == null || Transitions.isTerminal(status)) continue;
                SignedClient.Answer answer = api.send(admin, "DELETE", "/v1/sessions/" + id + (status == SessionStatus.PENDING ? "" : "?forced=true"), null);
                assertTrue(answer.ok() || answer.status() == 404, "delete " + id + ": " + answer);
            }
            return accepted.keySet().stream().allMatch(id -> last.containsKey(id) && Transitions.isTerminal(last.get(id)));
        });

        List<SessionEvent> events = events();
        List<AgentCommand> commands = TopicHistory.read(kafka.bootstrapServers(), topics.agentCommands.name(), BerthSerdes.AGENT_COMMAND);
        List<SessionRequest> requests = TopicHistory.read(kafka.bootstrapServers(), topics.sessionRequests.name(), BerthSerdes.SESSION_REQUEST);
        Map<String, AgentHeartbeat> idle = awaitIdleAgents();
        List<AgentHeartbeat> heartbeats = TopicHistory.read(kafka.bootstrapServers(), topics.agentHeartbeats.name(), BerthSerdes.AGENT_HEARTBEAT);

        Set<String> requested = requests.stream().map(SessionRequest::getSessionId).collect(Collectors.toSet());
        assertTrue(requested.containsAll(accepted.keySet()), "every accepted create is on session.requests");
        assertEquals(List.of(), Invariants.settledOnce(accepted.keySet(), events, Set.of()), "invariant 3: each accepted session ended exactly once");
        assertEquals(List.of(), Invariants.startedOnce(commands), "invariant 3: no kernel started twice");
        assertEquals(List.of(), Invariants.withinCapacity(commands, events, Invariants.capacities(heartbeats)), "invariant 1, by placement");
        assertEquals(List.of(), Invariants.heartbeatsWithinCapacity(heartbeats), "invariant 1, by the agents");
        assertEquals(List.of(), Invariants.withinConcurrency(events, limited.accessKey(), LIMIT), "invariant 2");
        assertEquals(List.of(), Invariants.inOrder(events), "invariant 5");
        assertEquals(List.of(), Invariants.reconciled(commands, events, idle), "invariant 4");

        // the kills happened under load, and placement went on after each
        assertFalse(named("scheduler-1").alive() || named("scheduler-2").alive(), "both original schedulers were killed");
        for (Instant kill : List.of(firstKill, secondKill)) {
            assertTrue(commands.stream().anyMatch(c -> c.getOp() instanceof CreateKernel && c.getAt().isAfter(kill.plusSeconds(1))),
                    "kernels were placed after the kill at " + kill);
        }
        long limitedPlaced = commands.stream().filter(c -> c.getOp() instanceof CreateKernel k && limited.accessKey().equals(k.getAccessKey())).count();
        assertTrue(limitedPlaced > LIMIT, "the limited keypair's sessions ran, a few at a time: " + limitedPlaced);
        boolean queued = events.stream().anyMatch(e -> e.getSession().getScheduler() != null
                && !e.getSession().getScheduler().getFailedPredicates().isEmpty()
                && e.getSession().getScheduler().getFailedPredicates().getFirst().getName().equals("concurrency"));
        assertTrue(queued, "the concurrency limit held some of its sessions back");
    }

    /** Deletes one accepted session, as a user would, whatever state it is in now. */
    private void deleteOne(Random random, Map<String, Boolean> accepted, List<String> failures) throws Exception {
        List<String> interactive = accepted.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
        if (interactive.isEmpty()) return;
        String id = interactive.get(random.nextInt(interactive.size()));
        SignedClient.Answer answer = api.send(admin, "DELETE", "/v1/sessions/" + id, null);
        // 403: a session the lifecycle is pulling or already terminating may not be destroyed without forced
        if (!answer.ok() && answer.status() != 403) failures.add("delete " + id + ": " + answer.status() + " " + answer.body());
    }

    /** Half run until deleted, half are batch jobs that end by themselves after the simulated run. */
    private static ObjectNode session(int step, boolean interactive) {
        ObjectNode body = body().put("name", "fault-" + step).put("image", "busybox");
        body.set("resources", body().put("cpu", 0.5).put("mem", "64m"));
        if (!interactive) body.put("type", "batch").put("command", "true");
        return body;
    }

    /** A fixed pace from the start, so a slow answer does not shift the rest of the load. */
    private static void pace(long began, int step) {
        long due = began + STEP.toNanos() * step;
        long wait = due - System.nanoTime();
        if (wait > 0) LockSupport.parkNanos(wait);
    }

    /** A user whose keypair policy allows {@value #LIMIT} concurrent sessions, once the scheduler's tables have it. */
    private Keys.Keypair limitedUser() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String policy = "faults-" + suffix;
        ok(api.send(admin, "POST", "/v1/admin/resource-policies", body().put("name", policy).put("maxConcurrentSessions", LIMIT)));
        JsonNode user = ok(api.send(admin, "POST", "/v1/admin/users", body().put("email", "faults-" + suffix + "@example.org")
                .put("username", "faults-" + suffix).put("domain", "default")));
        Keys.Keypair keypair = new Keys.Keypair(user.path("keypair").path("accessKey").asText(), user.path("keypair").path("secretKey").asText());
        ok(api.send(admin, "PUT", "/v1/admin/projects/default/members/" + user.path("id").asText(), null));
        ok(api.send(admin, "PATCH", "/v1/admin/keypairs/" + keypair.accessKey(), body().put("resourcePolicy", policy)));
        await().atMost(READY).pollInterval(Duration.ofMillis(250)).until(() -> {
            boolean limits = TopicHistory.read(kafka.bootstrapServers(), topics.configLimits.name(), BerthSerdes.RESOURCE_LIMITS).stream()
                    .anyMatch(l -> l.getId().equals(policy) && l.getMaxConcurrentSessions() == LIMIT);
            List<KeypairConfig> keypairs = TopicHistory.read(kafka.bootstrapServers(), topics.configKeypairs.name(), BerthSerdes.KEYPAIR_CONFIG);
            boolean bound = keypairs.stream().filter(k -> k.getAccessKey().equals(keypair.accessKey())).reduce((a, b) -> b)
                    .map(k -> policy.equals(k.getResourcePolicy())).orElse(false);
            return limits && bound;
        });
        return keypair;
    }

    /** Waits for a heartbeat of every agent that says it runs nothing, and returns those. */
    private Map<String, AgentHeartbeat> awaitIdleAgents() {
        Map<String, AgentHeartbeat> latest = new ConcurrentHashMap<>();
        await().atMost(SETTLE).pollInterval(Duration.ofSeconds(1)).until(() -> {
            latest.clear();
            for (AgentHeartbeat beat : TopicHistory.read(kafka.bootstrapServers(), topics.agentHeartbeats.name(), BerthSerdes.AGENT_HEARTBEAT)) {
                latest.put(beat.getAgentId(), beat);
            }
            return latest.size() == AGENTS && latest.values().stream().allMatch(b -> b.getKernels().isEmpty());
        });
        return Map.copyOf(latest);
    }

    private List<SessionEvent> events() {
        return TopicHistory.read(kafka.bootstrapServers(), topics.sessionEvents.name(), BerthSerdes.SESSION_EVENT);
    }

    private static Map<String, SessionStatus> lastStatus(List<SessionEvent> events) {
        Map<String, SessionStatus> last = new HashMap<>();
        for (SessionEvent event : events) last.put(event.getSessionId(), event.getSession().getStatus());
        return last;
    }

    private Instant kill(String name) {
        ChildJvm victim = named(name);
        assertTrue(victim.alive(), name + " runs until it is killed:\n" + victim.tail());
        Instant at = Instant.now();
        victim.kill();
        return at;
    }

    private ChildJvm scheduler(String name) {
        Map<String, String> env = new HashMap<>(common(name));
        env.put("BERTH_SCHEDULER_OPS_PORT", Integer.toString(ChildJvm.freePort()));
        env.put("BERTH_REDIS_PORT", FaultEnv.sharedRedisPort());
        return child(name, SchedulerMain.class, env);
    }

    private static URI opsHealth(ChildJvm scheduler) {
        return URI.create("http://127.0.0.1:" + scheduler.env().get("BERTH_SCHEDULER_OPS_PORT") + "/health");
    }

    private Map<String, String> common(String name) {
        // one shared configuration for this test's processes, apart from the one other stacks on this etcd read
        return Map.of("BERTH_KAFKA_BOOTSTRAP", kafka.bootstrapServers(), "BERTH_STATE_DIR", dir.resolve(name).toString(), "BERTH_PARTITIONS", "4",
                "BERTH_CONFIG_PREFIX", configPrefix);
    }

    private ChildJvm child(String name, Class<?> main, Map<String, String> env) {
        ChildJvm child = ChildJvm.start(name, main, env, dir);
        children.add(child);
        return child;
    }

    private ChildJvm named(String name) {
        return children.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private static JsonNode ok(SignedClient.Answer answer) {
        assertTrue(answer.ok(), answer.status() + " " + answer.body());
        return answer.body();
    }
}
