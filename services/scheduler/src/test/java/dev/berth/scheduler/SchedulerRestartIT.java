package dev.berth.scheduler;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.common.BerthConfig;
import dev.berth.common.HealthRegistry;
import dev.berth.common.KafkaClients;
import dev.berth.kafka.EmbeddedKafka;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.KernelIds;
import dev.berth.schema.TopicBootstrapper;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.schema.avro.CreateKernel;
import dev.berth.schema.avro.CreateSession;
import dev.berth.schema.avro.DestroyKernel;
import dev.berth.schema.avro.DestroySession;
import dev.berth.schema.avro.KernelEvent;
import dev.berth.schema.avro.KernelEventKind;
import dev.berth.schema.avro.KeypairConfig;
import dev.berth.schema.avro.LimitScope;
import dev.berth.schema.avro.ResourceLimits;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionRequest;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.UserRole;
import dev.berth.topology.placement.PlacementOptions;
import dev.berth.topology.placement.PlacementOptions.GroupOptions;
import dev.berth.topology.placement.Policy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduler holds the queue, the allocations, the quota reservations and every session's state.
 * Restarted on a fresh state directory (as on another machine), it must restore them from Kafka: no
 * slot handed out twice (invariant 1), no quota exceeded (invariant 2), every session ending exactly
 * once (invariant 3).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchedulerRestartIT {

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private EmbeddedKafka kafka;
    /** Each test gets topics of its own, so that one's records are never read as the other's. */
    private Topics topics;
    private KafkaProducer<String, SpecificRecord> producer;

    @BeforeAll
    void startBroker() throws Exception {
        kafka = EmbeddedKafka.startTemporary();
        var anyAvro = new org.apache.kafka.common.serialization.Serializer<SpecificRecord>() {
            @Override
            @SuppressWarnings({"unchecked", "rawtypes"})
            public byte[] serialize(String topic, SpecificRecord data) {
                return ((org.apache.kafka.common.serialization.Serializer) serializerOf(data)).serialize(topic, data);
            }
        };
        producer = new KafkaProducer<>(KafkaClients.producer(kafka.bootstrapServers(), "restart-test"), new StringSerializer(), anyAvro);
    }

    @BeforeEach
    void freshTopics() throws Exception {
        topics = Topics.withPrefix("restart-" + UUID.randomUUID() + ".", 2);
        try (Admin admin = Admin.create(KafkaClients.admin(kafka.bootstrapServers()))) {
            TopicBootstrapper.ensure(admin, topics, (short) 1);
        }
    }

    @AfterAll
    void stopBroker() {
        if (producer != null) producer.close();
        if (kafka != null) kafka.close();
    }

    @Test
    @DisplayName("invariants 1 and 3 hold across a scheduler restart on a fresh state directory")
    void restartKeepsAllocationsAndSessions(@TempDir Path first, @TempDir Path second) throws Exception {
        try (var events = consumer("events"); var commands = consumer("commands")) {
            events.subscribe(List.of(topics.sessionEvents.name()));
            commands.subscribe(List.of(topics.agentCommands.name()));
            List<SessionEvent> seen = new ArrayList<>();
            List<AgentCommand> sent = new ArrayList<>();

            // given: s1 runs on the agent's whole cpu, under the first scheduler
            try (Scheduler scheduler = start(first)) {
                send(topics.agentHeartbeats.name(), "a1", heartbeat());
                send(topics.sessionRequests.name(), "s1", create("s1", 2000));
                awaitCommands(commands, sent, 1);
                send(topics.kernelEvents.name(), "s1", kernelEvent("s1", KernelEventKind.PREPARING, null));
                send(topics.kernelEvents.name(), "s1", kernelEvent("s1", KernelEventKind.STARTED, null));
                awaitEvent(events, seen, "s1", SessionEventKind.STARTED);
            }

            // when: a session that does not fit arrives while no scheduler runs, then a new one starts elsewhere
            send(topics.sessionRequests.name(), "s2", create("s2", 2000));
            try (Scheduler scheduler = start(second)) {
                send(topics.agentHeartbeats.name(), "a1", heartbeat());
                // s3 fits in the 0.5 cpu left; once it is placed, s2 has been considered and must have waited
                send(topics.sessionRequests.name(), "s3", create("s3", 500));
                awaitCommands(commands, sent, 2);
                send(topics.sessionRequests.name(), "s1", destroy("s1"));
                awaitCommands(commands, sent, 3);
                send(topics.kernelEvents.name(), "s1", kernelEvent("s1", KernelEventKind.TERMINATED, 143));
                awaitCommands(commands, sent, 4);
                awaitEvent(events, seen, "s1", SessionEventKind.TERMINATED);
            }

            // then: in the agent's command order, s2 started only after s1 was destroyed
            assertEquals(List.of("create s1", "create s3", "destroy s1", "create s2"), sent.stream().map(SchedulerRestartIT::describe).toList());
            long s1Ends = seen.stream().filter(e -> e.getSessionId().equals("s1") && e.getKind() == SessionEventKind.TERMINATED).count();
            assertEquals(1, s1Ends, "s1 ends exactly once");
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), seen.stream().filter(e -> e.getSessionId().equals("s1"))
                    .map(e -> e.getSession().getVersion()).toList(), "s1's events arrive in order, none lost or repeated");
        }
    }

    @Test
    @DisplayName("invariant 2 holds across a restart: the admission ledger is rebuilt, so a keypair at its limit stays there")
    void restartKeepsQuotaReservations(@TempDir Path first, @TempDir Path second) throws Exception {
        send(topics.configKeypairs.name(), "AKQUOTA", new KeypairConfig("AKQUOTA", "u-quota", "default", UserRole.USER, true, "one-at-a-time", 100, 1L));
        send(topics.configLimits.name(), "keypair-policy:one-at-a-time", ResourceLimits.newBuilder()
                .setScope(LimitScope.KEYPAIR_POLICY).setId("one-at-a-time").setMaxConcurrentSessions(1).build());
        try (var events = consumer("quota-events"); var commands = consumer("quota-commands")) {
            events.subscribe(List.of(topics.sessionEvents.name()));
            commands.subscribe(List.of(topics.agentCommands.name()));
            List<SessionEvent> seen = new ArrayList<>();
            List<AgentCommand> sent = new ArrayList<>();

            try (Scheduler scheduler = start(first)) {
                send(topics.agentHeartbeats.name(), "a1", heartbeat());
                send(topics.sessionRequests.name(), "q1", create("q1", 100, "AKQUOTA"));
                awaitCommands(commands, sent, "create q1");
            }

            send(topics.sessionRequests.name(), "q2", create("q2", 100, "AKQUOTA"));
            try (Scheduler scheduler = start(second)) {
                send(topics.agentHeartbeats.name(), "a1", heartbeat());
                awaitEvent(events, seen, "q2", SessionEventKind.WAITING);
                SessionEvent waiting = seen.stream().filter(e -> e.getSessionId().equals("q2") && e.getKind() == SessionEventKind.WAITING)
                        .findFirst().orElseThrow();
                assertEquals("concurrency", waiting.getSession().getScheduler().getFailedPredicates().get(0).getName(),
                        "q1's reservation survived the restart");

                send(topics.sessionRequests.name(), "q1", new SessionRequest(UUID.randomUUID().toString(), "q1", Instant.now(), "AKQUOTA",
                        new DestroySession(true, "user-requested")));
                awaitCommands(commands, sent, "create q2");
            }
            assertEquals(List.of("create q1", "destroy q1", "create q2"),
                    sent.stream().map(SchedulerRestartIT::describe).filter(d -> d.endsWith(" q1") || d.endsWith(" q2")).toList());
        }
    }

    private void awaitCommands(KafkaConsumer<String, byte[]> consumer, List<AgentCommand> sent, String described) {
        awaitCommands(consumer, sent, () -> sent.stream().map(SchedulerRestartIT::describe).anyMatch(described::equals));
    }

    private Scheduler start(Path stateDir) {
        var config = new BerthConfig(kafka.bootstrapServers(), topics.prefix(), 2, stateDir);
        // s3 may pass s2, which does not fit: that is the test's sync point (AMB-05's "continue" option)
        var placement = PlacementOptions.DEFAULTS.withGroupDefaults(new GroupOptions(Policy.FIFO, true, Duration.ZERO));
        return Scheduler.start(config, placement, new SimpleMeterRegistry(), new HealthRegistry(Duration.ofSeconds(1)));
    }

    private void awaitCommands(KafkaConsumer<String, byte[]> consumer, List<AgentCommand> sent, int count) {
        awaitCommands(consumer, sent, () -> sent.size() >= count);
    }

    private void awaitCommands(KafkaConsumer<String, byte[]> consumer, List<AgentCommand> sent, java.util.function.BooleanSupplier done) {
        await().atMost(DEADLINE).until(() -> {
            consumer.poll(Duration.ofMillis(100)).forEach(r -> sent.add(BerthSerdes.AGENT_COMMAND.deserialize(r.topic(), r.value())));
            return done.getAsBoolean();
        });
    }

    private void awaitEvent(KafkaConsumer<String, byte[]> consumer, List<SessionEvent> seen, String sessionId, SessionEventKind kind) {
        await().atMost(DEADLINE).until(() -> {
            consumer.poll(Duration.ofMillis(100)).forEach(r -> seen.add(BerthSerdes.SESSION_EVENT.deserialize(r.topic(), r.value())));
            return seen.stream().anyMatch(e -> e.getSessionId().equals(sessionId) && e.getKind() == kind);
        });
    }

    private KafkaConsumer<String, byte[]> consumer(String name) {
        return new KafkaConsumer<>(KafkaClients.consumer(kafka.bootstrapServers(), topics.prefix() + name, name),
                BerthSerdes.KEY.deserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer());
    }

    private void send(String topic, String key, SpecificRecord value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get();
    }

    private static String describe(AgentCommand command) {
        return switch (command.getOp()) {
            case CreateKernel create -> "create " + create.getSessionId();
            case DestroyKernel destroy -> "destroy " + destroy.getSessionId();
            default -> "unknown";
        };
    }

    private static org.apache.kafka.common.serialization.Serializer<?> serializerOf(SpecificRecord data) {
        return switch (data) {
            case SessionRequest ignored -> BerthSerdes.SESSION_REQUEST;
            case AgentHeartbeat ignored -> BerthSerdes.AGENT_HEARTBEAT;
            case KernelEvent ignored -> BerthSerdes.KERNEL_EVENT;
            case KeypairConfig ignored -> BerthSerdes.KEYPAIR_CONFIG;
            case ResourceLimits ignored -> BerthSerdes.RESOURCE_LIMITS;
            default -> throw new IllegalArgumentException(data.getClass().getName());
        };
    }

    private static AgentHeartbeat heartbeat() {
        return AgentHeartbeat.newBuilder().setAgentId("a1").setAt(Instant.now()).setAddress("127.0.0.1").setRuntime("test")
                .setVersion("test").setCapacity(Map.of("cpu", 2500L, "mem", 1L << 32)).setOccupied(Map.of()).build();
    }

    private static SessionRequest create(String id, long cpu) {
        return create(id, cpu, "AKTEST");
    }

    private static SessionRequest create(String id, long cpu, String accessKey) {
        var spec = SessionSpec.newBuilder().setName("restart-" + id).setImage("x").setResources(Map.of("cpu", cpu, "mem", 1L << 20)).build();
        return SessionRequest.newBuilder().setRequestId(UUID.randomUUID().toString()).setSessionId(id).setAt(Instant.now())
                .setAccessKey(accessKey).setOp(new CreateSession(spec)).build();
    }

    private static SessionRequest destroy(String id) {
        return SessionRequest.newBuilder().setRequestId(UUID.randomUUID().toString()).setSessionId(id).setAt(Instant.now())
                .setAccessKey("AKTEST").setOp(new DestroySession(false, "user-requested")).build();
    }

    private static KernelEvent kernelEvent(String sessionId, KernelEventKind kind, Integer exitCode) {
        return KernelEvent.newBuilder().setKernelId(KernelIds.of(sessionId, 0)).setSessionId(sessionId).setAgentId("a1")
                .setAt(Instant.now()).setKind(kind).setExitCode(exitCode).build();
    }
}
