package dev.berth.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.agent.runtime.DockerEngine;
import dev.berth.agent.runtime.DockerRuntime;
import dev.berth.common.BerthConfig;
import dev.berth.common.HealthRegistry;
import dev.berth.common.KafkaClients;
import dev.berth.kafka.EmbeddedKafka;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.TopicBootstrapper;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.CreateKernel;
import dev.berth.schema.avro.DestroyKernel;
import dev.berth.schema.avro.KernelEvent;
import dev.berth.schema.avro.KernelEventKind;
import dev.berth.schema.avro.SessionType;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An agent with the Docker runtime, end to end: commands on an embedded broker, containers on a real engine. */
class AgentDockerIT {

    private static final int PARTITIONS = 4;
    private static final Map<String, Long> SMALL = Map.of("cpu", 500L, "mem", 64L << 20);

    private static EmbeddedKafka kafka;
    private static Admin admin;

    @TempDir
    Path stateDir;

    private final String agentId = "docker-agent-" + UUID.randomUUID().toString().substring(0, 8);
    private Topics topics;
    private BerthConfig berth;
    private KafkaProducer<byte[], byte[]> producer;
    private TopicReader<KernelEvent> events;
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<Agent> agents = new ArrayList<>();

    @BeforeAll
    static void start() {
        DockerEngine.host(); // skips the class before the broker starts when there is no engine
        kafka = EmbeddedKafka.startTemporary();
        admin = Admin.create(KafkaClients.admin(kafka.bootstrapServers()));
    }

    @AfterAll
    static void stop() {
        if (admin != null) admin.close();
        if (kafka != null) kafka.close();
    }

    @BeforeEach
    void createTopics() throws Exception {
        topics = Topics.withPrefix("d" + UUID.randomUUID() + ".", PARTITIONS);
        TopicBootstrapper.ensure(admin, topics, (short) 1);
        berth = new BerthConfig(kafka.bootstrapServers(), topics.prefix(), PARTITIONS, stateDir);
        producer = new KafkaProducer<>(KafkaClients.producer(kafka.bootstrapServers(), "test-commands"),
                new ByteArraySerializer(), new ByteArraySerializer());
        events = new TopicReader<>(kafka.bootstrapServers(), topics.kernelEvents.name(), BerthSerdes.KERNEL_EVENT);
    }

    @AfterEach
    void closeAll() {
        agents.reversed().forEach(Agent::close);
        producer.close();
        events.close();
        meters.close();
    }

    @Test
    @DisplayName("SES-20 a batch kernel runs in a container: bootstrap, command, exit code in TERMINATED, its output in Redis")
    void batchKernelInAContainer() throws Exception {
        startAgent();
        String session = "s-" + UUID.randomUUID();
        try (var redis = new RedisProbe()) {
            send(create("k1", session, "echo \"hello from $(hostname)\"; exit 2", "echo boot", SessionType.BATCH, SMALL));

            List<KernelEvent> seen = eventsOf("k1", KernelEventKind.TERMINATED);
            assertEquals(List.of(KernelEventKind.PREPARING, KernelEventKind.STARTED, KernelEventKind.TERMINATED), kinds(seen));
            assertTrue(seen.get(1).getContainerId().matches("[0-9a-f]{64}"), seen.get(1).getContainerId());
            assertEquals(2, seen.get(2).getExitCode());
            assertEquals("self-terminated", seen.get(2).getReason());
            assertEquals("boot\nhello from main1\n", redis.get(KernelReports.LOGS_KEY + session));
            redis.delete(KernelReports.LOGS_KEY + session);
        }
    }

    @Test
    @DisplayName("USG-01 an interactive container's cgroup stats reach kernel.stats; a destroy stops it: TERMINATING, TERMINATED user-requested")
    void interactiveKernelStatsAndDestroy() throws Exception {
        startAgent();
        String session = "s-" + UUID.randomUUID();
        try (var stats = new TopicReader<>(kafka.bootstrapServers(), topics.kernelStats.name(), BerthSerdes.KERNEL_STATS)) {
            send(create("k1", session, "while :; do :; done", null, SessionType.INTERACTIVE, SMALL));

            var busy = stats.until(records -> records.stream().anyMatch(r -> r.value().getCpuPercent() > 10))
                    .stream().filter(r -> r.value().getCpuPercent() > 10).findFirst().orElseThrow().value();
            assertTrue(busy.getCpuPercent() <= 60, "held to its half core by the limit: " + busy.getCpuPercent());
            assertTrue(busy.getMemBytes() > 0, busy.toString());
        }
        send(destroy("k1", session));

        List<KernelEvent> seen = eventsOf("k1", KernelEventKind.TERMINATED);
        assertEquals(List.of(KernelEventKind.PREPARING, KernelEventKind.STARTED, KernelEventKind.TERMINATING,
                KernelEventKind.TERMINATED), kinds(seen));
        assertEquals("user-requested", seen.getLast().getReason());
        assertEquals(143, seen.getLast().getExitCode());
    }

    @Test
    @DisplayName("SCH-19 a missing image: PULLING, then CANCELLED failed-to-start with an error naming the image; the agent goes on")
    void missingImage() throws Exception {
        startAgent();
        send(create("k1", "s1", "true", null, SessionType.BATCH, SMALL, DockerEngine.ABSENT_IMAGE));
        send(create("marker", "s1", "true", null, SessionType.BATCH, SMALL));

        eventsOf("marker", KernelEventKind.TERMINATED);
        List<KernelEvent> seen = eventsOf("k1", KernelEventKind.CANCELLED);
        assertEquals(List.of(KernelEventKind.PREPARING, KernelEventKind.PULLING, KernelEventKind.CANCELLED), kinds(seen));
        assertEquals("failed-to-start", seen.getLast().getReason());
        assertTrue(seen.getLast().getError().contains(DockerEngine.ABSENT_IMAGE), seen.getLast().getError());
    }

    @Test
    @DisplayName("SCH-19 limits the engine cannot apply: CANCELLED failed-to-start with the engine's reason")
    void impossibleLimits() throws Exception {
        startAgent();
        send(create("k1", "s1", "true", null, SessionType.BATCH, Map.of("cpu", 500L, "mem", 1024L)));

        KernelEvent cancelled = eventsOf("k1", KernelEventKind.CANCELLED).getLast();
        assertEquals("failed-to-start", cancelled.getReason());
        assertTrue(cancelled.getError().toLowerCase().contains("memory"), cancelled.getError());
    }

    @Test
    @DisplayName("AGT recovery: an agent started again finds its running container and can destroy it")
    void restartFindsContainers() throws Exception {
        Agent first = startAgent();
        send(create("k1", "s1", null, null, SessionType.INTERACTIVE, SMALL));
        KernelEvent started = eventsOf("k1", KernelEventKind.STARTED).getLast();
        first.detach();

        startAgent();
        List<KernelEvent> seen = eventsOf("k1", KernelEventKind.STARTED);
        assertEquals(2, seen.stream().filter(e -> e.getKind() == KernelEventKind.STARTED).count());
        assertEquals(started.getContainerId(), seen.getLast().getContainerId());

        send(destroy("k1", "s1"));
        assertEquals("user-requested", eventsOf("k1", KernelEventKind.TERMINATED).getLast().getReason());
    }

    private Agent startAgent() {
        AgentConfig config = AgentIT.config().withAgentId(agentId).withRuntime("docker").withRedis(RedisProbe.HOST, RedisProbe.PORT);
        Agent agent = Agent.start(berth, config, DockerRuntime.connect(DockerEngine.host(), agentId, Duration.ofSeconds(30)),
                meters, new HealthRegistry(Duration.ofSeconds(2)));
        agents.add(agent);
        return agent;
    }

    private void send(AgentCommand command) throws Exception {
        String topic = topics.agentCommands.name();
        producer.send(new ProducerRecord<>(topic, agentId.getBytes(StandardCharsets.UTF_8),
                BerthSerdes.AGENT_COMMAND.serialize(topic, command))).get();
    }

    private List<KernelEvent> eventsOf(String kernelId, KernelEventKind kind) {
        events.until(records -> records.stream().anyMatch(r -> r.value().getKernelId().equals(kernelId) && r.value().getKind() == kind));
        return events.values().stream().filter(e -> e.getKernelId().equals(kernelId)).toList();
    }

    private AgentCommand create(String kernelId, String session, String command, String bootstrap, SessionType type,
                                Map<String, Long> resources) {
        return create(kernelId, session, command, bootstrap, type, resources, DockerEngine.IMAGE);
    }

    private AgentCommand create(String kernelId, String session, String command, String bootstrap, SessionType type,
                                Map<String, Long> resources, String image) {
        return AgentCommand.newBuilder().setCommandId(UUID.randomUUID().toString()).setAgentId(agentId).setAt(Instant.now())
                .setOp(CreateKernel.newBuilder()
                        .setKernelId(kernelId).setSessionId(session).setSessionName("n").setSessionType(type)
                        .setImage(image).setArchitecture("x86_64").setCommand(command).setBootstrapScript(bootstrap)
                        .setResources(resources).setClusterRole("main").setClusterIdx(1).setClusterHostname("main1")
                        .setClusterHosts(List.of("main1"))
                        .build())
                .build();
    }

    private AgentCommand destroy(String kernelId, String session) {
        return AgentCommand.newBuilder().setCommandId(UUID.randomUUID().toString()).setAgentId(agentId).setAt(Instant.now())
                .setOp(DestroyKernel.newBuilder().setKernelId(kernelId).setSessionId(session).setReason("user-requested").build())
                .build();
    }

    private static List<KernelEventKind> kinds(List<KernelEvent> events) {
        return events.stream().map(KernelEvent::getKind).toList();
    }
}
