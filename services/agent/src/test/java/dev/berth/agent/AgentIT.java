package dev.berth.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.agent.runtime.KernelRuntime;
import dev.berth.agent.runtime.KernelSpec;
import dev.berth.agent.runtime.KernelStartException;
import dev.berth.agent.runtime.ProcessRuntime;
import dev.berth.agent.runtime.Recovered;
import dev.berth.agent.runtime.RunningKernel;
import dev.berth.agent.runtime.StartListener;
import dev.berth.common.BerthConfig;
import dev.berth.common.Check;
import dev.berth.common.HealthRegistry;
import dev.berth.common.KafkaClients;
import dev.berth.kafka.EmbeddedKafka;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.TopicBootstrapper;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.schema.avro.CreateKernel;
import dev.berth.schema.avro.DestroyKernel;
import dev.berth.schema.avro.KernelEvent;
import dev.berth.schema.avro.KernelEventKind;
import dev.berth.schema.avro.SessionType;
import dev.berth.schema.avro.SetSchedulable;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One agent with the process runtime against an embedded broker; each test has topics of its own. */
class AgentIT {

    private static final String AGENT = "agent-1";
    private static final int PARTITIONS = 4;
    private static final Map<String, Long> SMALL = Map.of("cpu", 500L, "mem", 256L << 20);

    private static EmbeddedKafka kafka;
    private static Admin admin;

    @TempDir
    Path stateDir;

    private Topics topics;
    private BerthConfig berth;
    private KafkaProducer<byte[], byte[]> producer;
    private TopicReader<KernelEvent> events;
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HealthRegistry health = new HealthRegistry(Duration.ofSeconds(2));
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.startTemporary();
        admin = Admin.create(KafkaClients.admin(kafka.bootstrapServers()));
    }

    @AfterAll
    static void stopKafka() {
        if (admin != null) admin.close();
        if (kafka != null) kafka.close();
    }

    @BeforeEach
    void createTopics() throws Exception {
        topics = Topics.withPrefix("t" + UUID.randomUUID() + ".", PARTITIONS);
        TopicBootstrapper.ensure(admin, topics, (short) 1);
        berth = new BerthConfig(kafka.bootstrapServers(), topics.prefix(), PARTITIONS, stateDir);
        producer = new KafkaProducer<>(KafkaClients.producer(kafka.bootstrapServers(), "test-commands"),
                new ByteArraySerializer(), new ByteArraySerializer());
        events = new TopicReader<>(kafka.bootstrapServers(), topics.kernelEvents.name(), BerthSerdes.KERNEL_EVENT);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : closeables.reversed()) closeable.close();
        producer.close();
        events.close();
        meters.close();
    }

    @Test
    @DisplayName("EVT-02 a kernel that runs its command reports PREPARING, STARTED, then TERMINATED with its exit code and self-terminated")
    void runsACommandToItsEnd() throws Exception {
        startAgent();

        send(AGENT, create("k1", "s1", "echo hello; exit 3", SMALL));

        List<KernelEvent> seen = eventsOf("k1", KernelEventKind.TERMINATED);
        assertEquals(List.of(KernelEventKind.PREPARING, KernelEventKind.STARTED, KernelEventKind.TERMINATED), kinds(seen));
        assertTrue(seen.get(1).getContainerId().matches("pid:\\d+"), seen.get(1).getContainerId());
        KernelEvent terminated = seen.get(2);
        assertEquals(3, terminated.getExitCode());
        assertEquals("self-terminated", terminated.getReason());
        seen.forEach(event -> {
            assertEquals(AGENT, event.getAgentId());
            assertEquals("s1", event.getSessionId());
        });
        assertTrue(events.records().stream().allMatch(r -> r.key().equals("s1")), "kernel events are keyed by session id");
        Path stdout = stateDir.resolve("agents").resolve(AGENT).resolve("kernels").resolve("k1").resolve("output.log");
        assertEquals("hello\n", Files.readString(stdout));
        String scrape = meters.scrape();
        assertTrue(scrape.contains("berth_agent_commands_total{agent=\"agent-1\",op=\"create\"} 1"), scrape);
        assertTrue(scrape.contains("berth_agent_kernels_started_total{agent=\"agent-1\"} 1"), scrape);
        assertTrue(scrape.contains("berth_agent_kernels_exited_total{agent=\"agent-1\"} 1"), scrape);
        assertTrue(scrape.contains("berth_agent_kernels_live{agent=\"agent-1\"} 0"), scrape);
    }

    @Test
    @DisplayName("SCH-27 a running kernel shows in the heartbeat with its slots; API-17 a destroy stops it: TERMINATING, then TERMINATED user-requested")
    void destroyStopsARunningKernel() throws Exception {
        Agent agent = startAgent();
        try (var heartbeats = new TopicReader<>(kafka.bootstrapServers(), topics.agentHeartbeats.name(), BerthSerdes.AGENT_HEARTBEAT)) {
            send(AGENT, create("k1", "s1", "sleep 60", SMALL));
            KernelEvent started = eventsOf("k1", KernelEventKind.STARTED).getLast();
            ProcessHandle process = ProcessHandle.of(Long.parseLong(started.getContainerId().substring(4))).orElseThrow();

            AgentHeartbeat beat = heartbeatWhere(heartbeats, hb -> List.of("k1").equals(hb.getKernels())).value();
            assertEquals(SMALL, beat.getOccupied());
            assertEquals(agent.config().capacity(), beat.getCapacity());
            assertEquals("process", beat.getRuntime());
            assertEquals(Agent.VERSION, beat.getVersion());
            assertEquals("default", beat.getScalingGroup());
            assertTrue(beat.getSchedulable());
            assertFalse(beat.getAddress().isBlank());
            assertEquals(Host.architecture(System.getProperty("os.arch")), beat.getArchitecture());
            assertTrue(health("agent:" + AGENT).up(), "healthy while running");
            SMALL.forEach((slot, amount) -> {
                assertEquals(amount.doubleValue(), meters.get("berth.agent.occupied").tags("agent", AGENT, "slot", slot).gauge().value(), slot);
                assertEquals(agent.config().capacity().get(slot).doubleValue(),
                        meters.get("berth.agent.capacity").tags("agent", AGENT, "slot", slot).gauge().value(), slot);
            });

            send(AGENT, destroy("k1", "s1", "user-requested"));

            List<KernelEvent> seen = eventsOf("k1", KernelEventKind.TERMINATED);
            assertEquals(List.of(KernelEventKind.PREPARING, KernelEventKind.STARTED, KernelEventKind.TERMINATING,
                    KernelEventKind.TERMINATED), kinds(seen));
            assertEquals("user-requested", seen.get(2).getReason());
            assertEquals("user-requested", seen.get(3).getReason());
            assertEquals(143, seen.get(3).getExitCode(), "ended by SIGTERM");
            assertFalse(process.isAlive(), "the OS process is gone");
            AgentHeartbeat after = heartbeatWhere(heartbeats, hb -> hb.getKernels().isEmpty()
                    && hb.getAt().isAfter(beat.getAt())).value();
            assertTrue(after.getOccupied().values().stream().allMatch(amount -> amount == 0), "nothing occupied: " + after.getOccupied());
            SMALL.keySet().forEach(slot ->
                    assertEquals(0.0, meters.get("berth.agent.occupied").tags("agent", AGENT, "slot", slot).gauge().value(), slot));
        }
    }

    @Test
    @DisplayName("a command that does not decode goes to the dead-letter topic with the reason and its origin, and the next command still runs")
    void undecodableCommandIsSetAside() throws Exception {
        startAgent();
        byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);

        producer.send(new ProducerRecord<>(topics.agentCommands.name(), AGENT.getBytes(StandardCharsets.UTF_8), garbage)).get();
        send(AGENT, create("k1", "s1", "exit 0", SMALL));

        try (var letters = new TopicReader<>(kafka.bootstrapServers(), topics.deadLetters.name(), new ByteArrayDeserializer())) {
            ConsumerRecord<String, byte[]> letter = letters.until(records -> !records.isEmpty()).getFirst();
            assertArrayEquals(garbage, letter.value(), "the record goes on unchanged");
            assertEquals(AGENT, letter.key());
            assertFalse(header(letter, "berth.error").isBlank());
            assertEquals(topics.agentCommands.name(), header(letter, "berth.source.topic"));
            assertEquals(Integer.toString(CommandPartition.of(AGENT, PARTITIONS)), header(letter, "berth.source.partition"));
            assertEquals("0", header(letter, "berth.source.offset"));
        }
        KernelEvent terminated = eventsOf("k1", KernelEventKind.TERMINATED).getLast();
        assertEquals(0, terminated.getExitCode());
    }

    @Test
    @DisplayName("a command for another agent that shares the partition is not executed")
    void ignoresOtherAgentsCommands() throws Exception {
        startAgent();
        String other = Stream.iterate(0, i -> i + 1).map(i -> "other-" + i)
                .filter(id -> CommandPartition.of(id, PARTITIONS) == CommandPartition.of(AGENT, PARTITIONS))
                .findFirst().orElseThrow();

        send(other, create("theirs", "s1", "exit 0", SMALL));
        send(AGENT, create("mine", "s1", "exit 0", SMALL));

        eventsOf("mine", KernelEventKind.TERMINATED);
        assertTrue(events.values().stream().noneMatch(e -> e.getKernelId().equals("theirs")),
                "events of the same session after theirs, but none of theirs: " + events.values());
        assertFalse(Files.exists(stateDir.resolve("agents").resolve(AGENT).resolve("kernels").resolve("theirs")));
    }

    @Test
    @DisplayName("SCH-19 a kernel that cannot be started is CANCELLED with failed-to-start and the error")
    void kernelThatCannotStartIsCancelled() throws Exception {
        startAgent();
        // A file where the kernel's working directory must go: the process cannot be started there.
        Path kernels = Files.createDirectories(stateDir.resolve("agents").resolve(AGENT).resolve("kernels"));
        Files.writeString(kernels.resolve("k1"), "in the way");

        send(AGENT, create("k1", "s1", "echo never", SMALL));

        // starts run on threads of their own, so the failure is awaited itself, not a later command's answer
        List<KernelEvent> seen = eventsOf("k1", KernelEventKind.CANCELLED);
        assertEquals(List.of(KernelEventKind.PREPARING, KernelEventKind.CANCELLED), kinds(seen));
        assertEquals("failed-to-start", seen.get(1).getReason());
        assertNotNull(seen.get(1).getError());
        assertTrue(seen.get(1).getError().contains("k1"), seen.get(1).getError());
        assertTrue(meters.scrape().contains("berth_agent_kernels_started_total{agent=\"agent-1\"} 0"));
    }

    @Test
    @DisplayName("a destroy of a kernel this agent does not run is answered with TERMINATED at once, without an exit code")
    void destroyOfAnUnknownKernelEndsIt() throws Exception {
        startAgent();

        send(AGENT, destroy("ghost", "s1", "user-requested"));

        List<KernelEvent> seen = eventsOf("ghost", KernelEventKind.TERMINATED);
        assertEquals(List.of(KernelEventKind.TERMINATED), kinds(seen));
        assertEquals("user-requested", seen.getFirst().getReason());
        assertNull(seen.getFirst().getExitCode());
    }

    @Test
    @DisplayName("a create delivered twice starts the kernel once")
    void redeliveredCreateIsIgnored() throws Exception {
        startAgent();
        AgentCommand create = create("k1", "s1", "sleep 60", SMALL);

        send(AGENT, create);
        send(AGENT, create);
        send(AGENT, create("marker", "s1", "exit 0", SMALL));

        eventsOf("marker", KernelEventKind.TERMINATED);
        assertEquals(List.of(KernelEventKind.PREPARING, KernelEventKind.STARTED),
                kinds(events.values().stream().filter(e -> e.getKernelId().equals("k1")).toList()));
    }

    @Test
    @DisplayName("closing the agent stops its kernels and flushes their TERMINATED with agent-shutdown; its health goes down")
    void closeStopsLiveKernels() throws Exception {
        Agent agent = startAgent();
        send(AGENT, create("k1", "s1", "sleep 60", SMALL));
        KernelEvent started = eventsOf("k1", KernelEventKind.STARTED).getLast();
        ProcessHandle process = ProcessHandle.of(Long.parseLong(started.getContainerId().substring(4))).orElseThrow();

        agent.close();
        agent.close();

        assertFalse(process.isAlive(), "the OS process is gone when close returns");
        KernelEvent terminated = eventsOf("k1", KernelEventKind.TERMINATED).getLast();
        assertEquals("agent-shutdown", terminated.getReason());
        assertFalse(health("agent:" + AGENT).up(), "down once closed");
        assertTrue(agent.stopped().toCompletableFuture().isDone());
    }

    @Test
    @DisplayName("an agent started again goes on after the commands it has committed, without running them twice")
    void restartResumesAfterCommittedOffsets() throws Exception {
        Agent first = startAgent();
        send(AGENT, create("k1", "s1", "exit 0", SMALL));
        eventsOf("k1", KernelEventKind.TERMINATED);
        first.close();

        startAgent();
        send(AGENT, create("k2", "s1", "exit 0", SMALL));

        eventsOf("k2", KernelEventKind.TERMINATED);
        assertEquals(1, events.values().stream()
                .filter(e -> e.getKernelId().equals("k1") && e.getKind() == KernelEventKind.PREPARING).count());
    }

    @Test
    @DisplayName("AGT recovery: an agent started again finds its running kernel, reports it STARTED and in its heartbeat, and can destroy it")
    void restartFindsRunningKernels() throws Exception {
        Agent first = startAgent();
        send(AGENT, create("k1", "s1", "sleep 60", SMALL));
        KernelEvent started = eventsOf("k1", KernelEventKind.STARTED).getLast();
        first.detach();
        ProcessHandle process = ProcessHandle.of(Long.parseLong(started.getContainerId().substring(4))).orElseThrow();
        assertTrue(process.isAlive(), "detach leaves the kernel running");

        try (var heartbeats = new TopicReader<>(kafka.bootstrapServers(), topics.agentHeartbeats.name(), BerthSerdes.AGENT_HEARTBEAT)) {
            startAgent();
            List<KernelEvent> seen = eventsOf("k1", KernelEventKind.STARTED);
            assertEquals(List.of(KernelEventKind.PREPARING, KernelEventKind.STARTED, KernelEventKind.STARTED), kinds(seen));
            assertEquals(started.getContainerId(), seen.getLast().getContainerId());
            AgentHeartbeat beat = heartbeatWhere(heartbeats, hb -> hb.getKernels().equals(List.of("k1"))).value();
            assertEquals(SMALL, beat.getOccupied());
        }
        send(AGENT, destroy("k1", "s1", "user-requested"));
        KernelEvent terminated = eventsOf("k1", KernelEventKind.TERMINATED).getLast();
        assertEquals("user-requested", terminated.getReason());
        await().atMost(Duration.ofSeconds(10)).until(() -> !process.isAlive());
    }

    @Test
    @DisplayName("AGT recovery: a kernel that ended while no agent watched is reported TERMINATED with its exit code when the agent is back")
    void restartReportsKernelsThatEndedMeanwhile() throws Exception {
        Agent first = startAgent();
        send(AGENT, create("k1", "s1", "while [ ! -f go ]; do sleep 0.05; done; exit 3", SMALL));
        KernelEvent started = eventsOf("k1", KernelEventKind.STARTED).getLast();
        first.detach();
        ProcessHandle process = ProcessHandle.of(Long.parseLong(started.getContainerId().substring(4))).orElseThrow();
        Files.writeString(stateDir.resolve("agents").resolve(AGENT).resolve("kernels").resolve("k1").resolve("go"), "");
        process.onExit().get(10, TimeUnit.SECONDS);

        startAgent();

        KernelEvent terminated = eventsOf("k1", KernelEventKind.TERMINATED).getLast();
        assertEquals(3, terminated.getExitCode());
        assertEquals("self-terminated", terminated.getReason());
    }

    @Test
    @DisplayName("AGT recovery: a kernel destroyed while its agent was away is stopped when the agent is back, with the destroy's reason, once")
    void restartStopsKernelsDestroyedMeanwhile() throws Exception {
        Agent first = startAgent();
        send(AGENT, create("k1", "s1", "sleep 60", SMALL));
        KernelEvent started = eventsOf("k1", KernelEventKind.STARTED).getLast();
        first.detach();
        send(AGENT, destroy("k1", "s1", "forced-termination"));

        startAgent();

        KernelEvent terminated = eventsOf("k1", KernelEventKind.TERMINATED).getLast();
        assertEquals("forced-termination", terminated.getReason());
        send(AGENT, create("marker", "s1", "exit 0", SMALL));
        eventsOf("marker", KernelEventKind.TERMINATED);
        assertEquals(1, events.values().stream().filter(e -> e.getKernelId().equals("k1") && e.getKind() == KernelEventKind.TERMINATED).count());
        assertFalse(ProcessHandle.of(Long.parseLong(started.getContainerId().substring(4))).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    @DisplayName("AGT recovery: a kernel no command ever asked for is stopped when the agent starts (unknown-kernel)")
    void unknownKernelsAreStopped() throws Exception {
        ProcessRuntime runtime = new ProcessRuntime(stateDir, AGENT);
        var stray = runtime.start(KernelSpec.single("stray", "s9", "img", "sleep 60", Map.of(), SMALL));

        startAgent();

        List<KernelEvent> seen = eventsOf("stray", KernelEventKind.TERMINATED);
        assertEquals(List.of(KernelEventKind.STARTED, KernelEventKind.TERMINATING, KernelEventKind.TERMINATED), kinds(seen));
        assertEquals("unknown-kernel", seen.getLast().getReason());
        stray.exit().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("a create for a kernel that already ran is ignored after a restart too: applied kernel ids outlive the agent")
    void duplicateCreateAfterRestartIsIgnored() throws Exception {
        Agent first = startAgent();
        send(AGENT, create("k1", "s1", "exit 0", SMALL));
        eventsOf("k1", KernelEventKind.TERMINATED);
        first.close();

        startAgent();
        send(AGENT, create("k1", "s1", "exit 0", SMALL));
        send(AGENT, create("marker", "s1", "exit 0", SMALL));

        eventsOf("marker", KernelEventKind.TERMINATED);
        assertEquals(1, events.values().stream().filter(e -> e.getKernelId().equals("k1") && e.getKind() == KernelEventKind.PREPARING).count());
    }

    @Test
    @DisplayName("RES-13 drain: the heartbeat says unschedulable, and the running kernel carries on to its end")
    void drainKeepsKernelsRunning() throws Exception {
        Agent agent = startAgent();
        send(AGENT, create("k1", "s1", "while [ ! -f go ]; do sleep 0.05; done; exit 0", SMALL));
        eventsOf("k1", KernelEventKind.STARTED);
        try (var heartbeats = new TopicReader<>(kafka.bootstrapServers(), topics.agentHeartbeats.name(), BerthSerdes.AGENT_HEARTBEAT)) {
            agent.drain();

            AgentHeartbeat drained = heartbeatWhere(heartbeats, hb -> !hb.getSchedulable()).value();
            assertEquals(List.of("k1"), drained.getKernels());
            assertTrue(drained.getCpuCores() > 0 && drained.getMemoryBytes() > 0, "hardware: " + drained);
        }
        Files.writeString(stateDir.resolve("agents").resolve(AGENT).resolve("kernels").resolve("k1").resolve("go"), "");
        KernelEvent terminated = eventsOf("k1", KernelEventKind.TERMINATED).getLast();
        assertEquals("self-terminated", terminated.getReason());
        assertEquals(0, terminated.getExitCode());
        assertFalse(agent.schedulable());
    }

    @Test
    @DisplayName("ADM-04 SetSchedulable: false drains at once and across a restart, true lifts it at once; no regular beat is awaited")
    void setSchedulableCommand() throws Exception {
        // heartbeats a minute apart: only the beat sent on the command can show the change in time
        AgentConfig slowBeats = new AgentConfig(AGENT, "default", Map.of("cpu", 4000L, "mem", 8L << 30),
                Duration.ofMinutes(1), Duration.ofSeconds(2), 0, "process", null, Duration.ofMinutes(1),
                Duration.ofMillis(300), "none", 16379, Duration.ZERO, true, false);
        Path drainFile = stateDir.resolve("agents").resolve(AGENT).resolve(Agent.DRAIN_FILE);
        Agent first = startAgent(slowBeats);
        try (var heartbeats = new TopicReader<>(kafka.bootstrapServers(), topics.agentHeartbeats.name(), BerthSerdes.AGENT_HEARTBEAT)) {
            send(AGENT, command(new SetSchedulable(false, "AKTEST")));

            heartbeatWhere(heartbeats, hb -> !hb.getSchedulable());
            assertTrue(Files.exists(drainFile), "the drain file keeps the choice");
            assertTrue(meters.scrape().contains("berth_agent_commands_total{agent=\"agent-1\",op=\"schedulable\"} 1"), meters.scrape());
        }
        first.close();

        Instant restarted = Instant.ofEpochMilli(System.currentTimeMillis());
        Agent second = startAgent(slowBeats);
        assertFalse(second.schedulable(), "still drained after the restart");
        try (var heartbeats = new TopicReader<>(kafka.bootstrapServers(), topics.agentHeartbeats.name(), BerthSerdes.AGENT_HEARTBEAT)) {
            // the restarted agent's first heartbeat, sent before it read any command, says unschedulable
            Instant drainedAt = heartbeatWhere(heartbeats, hb -> !hb.getSchedulable() && !hb.getAt().isBefore(restarted)).value().getAt();
            send(AGENT, command(new SetSchedulable(true, "")));

            AgentHeartbeat lifted = heartbeatWhere(heartbeats, hb -> hb.getSchedulable() && hb.getAt().isAfter(drainedAt)).value();
            assertEquals(AGENT, lifted.getAgentId());
        }
        assertTrue(second.schedulable());
        assertFalse(Files.exists(drainFile), "schedulable again: the drain file is gone");
    }

    @Test
    @DisplayName("the drain file in the agent's state directory makes it unschedulable until removed")
    void drainFile() throws Exception {
        Agent agent = startAgent();
        Path drain = stateDir.resolve("agents").resolve(AGENT).resolve(Agent.DRAIN_FILE);
        Files.createDirectories(drain.getParent());

        Files.writeString(drain, "");
        assertFalse(agent.schedulable());
        Files.delete(drain);
        assertTrue(agent.schedulable());
    }

    @Test
    @DisplayName("USG-01 a running kernel's stats go to kernel.stats keyed by session, and with its output tail to Redis")
    void statsAndOutput() throws Exception {
        startAgent(config().withRedis(RedisProbe.HOST, RedisProbe.PORT));
        String session = "s-" + UUID.randomUUID();
        try (var redis = new RedisProbe();
             var stats = new TopicReader<>(kafka.bootstrapServers(), topics.kernelStats.name(), BerthSerdes.KERNEL_STATS)) {
            send(AGENT, create("k1", session, "echo started; while :; do :; done", SMALL));

            var busy = stats.until(records -> records.stream().anyMatch(r -> r.value().getCpuPercent() > 10))
                    .stream().filter(r -> r.value().getCpuPercent() > 10).findFirst().orElseThrow();
            assertEquals(session, busy.key());
            assertEquals("k1", busy.value().getKernelId());
            assertTrue(busy.value().getCpuUsedMs() > 0 && busy.value().getMemBytes() > 0, busy.value().toString());
            var seqs = stats.values().stream().map(s -> s.getSeq()).toList();
            assertEquals(seqs.stream().sorted().distinct().toList(), seqs, "seq grows");

            await().atMost(Duration.ofSeconds(10)).until(() -> redis.hget(KernelReports.STATS_KEY + session, "k1") != null);
            assertTrue(redis.hget(KernelReports.STATS_KEY + session, "k1").contains("\"kernelId\":\"k1\""));
            assertTrue(redis.ttl(KernelReports.STATS_KEY + session) > 0, "expires");
            await().atMost(Duration.ofSeconds(10)).until(() -> "started\n".equals(redis.get(KernelReports.LOGS_KEY + session)));

            send(AGENT, destroy("k1", session, "user-requested"));
            eventsOf("k1", KernelEventKind.TERMINATED);
            redis.delete(KernelReports.STATS_KEY + session);
            redis.delete(KernelReports.LOGS_KEY + session);
        }
    }

    @Test
    @DisplayName("a batch kernel's final output is in Redis before its TERMINATED is")
    void finalOutputBeforeTerminated() throws Exception {
        startAgent(config().withRedis(RedisProbe.HOST, RedisProbe.PORT));
        String session = "s-" + UUID.randomUUID();
        try (var redis = new RedisProbe()) {
            send(AGENT, create("k1", session, "echo one; echo two", SMALL));

            eventsOf("k1", KernelEventKind.TERMINATED);

            assertEquals("one\ntwo\n", redis.get(KernelReports.LOGS_KEY + session));
            redis.delete(KernelReports.LOGS_KEY + session);
        }
    }

    @Test
    @DisplayName("two agents on one machine with different ids: each runs only its own kernels, in its own directory, and reports itself")
    void twoAgentsOnOneMachine() throws Exception {
        startAgent();
        startAgent(config().withAgentId("agent-2"));
        try (var heartbeats = new TopicReader<>(kafka.bootstrapServers(), topics.agentHeartbeats.name(), BerthSerdes.AGENT_HEARTBEAT)) {
            send(AGENT, create("k1", "s1", "sleep 60", SMALL));
            send("agent-2", create("k2", "s2", "sleep 60", SMALL));

            assertEquals(AGENT, eventsOf("k1", KernelEventKind.STARTED).getLast().getAgentId());
            assertEquals("agent-2", eventsOf("k2", KernelEventKind.STARTED).getLast().getAgentId());
            heartbeatWhere(heartbeats, hb -> hb.getAgentId().equals(AGENT) && hb.getKernels().equals(List.of("k1")));
            heartbeatWhere(heartbeats, hb -> hb.getAgentId().equals("agent-2") && hb.getKernels().equals(List.of("k2")));
        }
        assertTrue(Files.isDirectory(stateDir.resolve("agents/agent-1/kernels/k1")));
        assertTrue(Files.isDirectory(stateDir.resolve("agents/agent-2/kernels/k2")));
        assertFalse(Files.exists(stateDir.resolve("agents/agent-2/kernels/k1")));
    }

    @Test
    @DisplayName("a slow start (as an image pull) holds up no other command; a destroy that comes during it is applied once it is done")
    void slowStartsDoNotBlock() throws Exception {
        GatedRuntime runtime = new GatedRuntime(new ProcessRuntime(stateDir, AGENT));
        startAgent(config(), runtime);

        send(AGENT, create("slow-1", "s1", "sleep 60", SMALL));
        eventsOf("slow-1", KernelEventKind.PULLING);
        send(AGENT, create("k2", "s2", "exit 0", SMALL));
        eventsOf("k2", KernelEventKind.TERMINATED);
        send(AGENT, destroy("slow-1", "s1", "user-requested"));
        send(AGENT, create("marker", "s3", "exit 0", SMALL));
        eventsOf("marker", KernelEventKind.TERMINATED);
        assertEquals(List.of(KernelEventKind.PREPARING, KernelEventKind.PULLING), kinds(eventsOf("slow-1", KernelEventKind.PULLING)),
                "still starting, and the destroy is held");

        runtime.gate.countDown();

        List<KernelEvent> seen = eventsOf("slow-1", KernelEventKind.TERMINATED);
        assertEquals(List.of(KernelEventKind.PREPARING, KernelEventKind.PULLING, KernelEventKind.STARTED, KernelEventKind.TERMINATING,
                KernelEventKind.TERMINATED), kinds(seen));
        assertEquals("user-requested", seen.getLast().getReason());
    }

    @Test
    @DisplayName("a create whose start an agent restart cut short runs again: its offset was not committed, its id not recorded")
    void createCutShortRunsAgain() throws Exception {
        GatedRuntime gated = new GatedRuntime(new ProcessRuntime(stateDir, AGENT));
        Agent first = startAgent(config(), gated);
        send(AGENT, create("slow-1", "s1", "sleep 60", SMALL));
        eventsOf("slow-1", KernelEventKind.PULLING);
        first.detach();

        startAgent();

        List<KernelEvent> seen = eventsOf("slow-1", KernelEventKind.STARTED);
        assertEquals(List.of(KernelEventKind.PREPARING, KernelEventKind.PULLING, KernelEventKind.PREPARING, KernelEventKind.STARTED),
                kinds(seen));
        gated.abandon();
    }

    // --- helpers -------------------------------------------------------------------------------

    static AgentConfig config() {
        return new AgentConfig(AGENT, "default", Map.of("cpu", 4000L, "mem", 8L << 30),
                Duration.ofMillis(200), Duration.ofSeconds(2), 0, "process", null, Duration.ofMinutes(1),
                Duration.ofMillis(300), "none", 16379, Duration.ZERO, true, false);
    }

    private Agent startAgent() {
        return startAgent(config());
    }

    private Agent startAgent(AgentConfig config) {
        return startAgent(config, new ProcessRuntime(stateDir, config.agentId()));
    }

    private Agent startAgent(AgentConfig config, KernelRuntime runtime) {
        Agent agent = Agent.start(berth, config, runtime, meters, health);
        closeables.add(agent);
        return agent;
    }

    /** Holds the start of kernels named slow-* until the gate opens, as a long image pull would. */
    private static final class GatedRuntime implements KernelRuntime {
        final CountDownLatch gate = new CountDownLatch(1);
        private final ProcessRuntime delegate;
        private volatile boolean abandoned;

        GatedRuntime(ProcessRuntime delegate) {
            this.delegate = delegate;
        }

        /** Opens the gate for a start that must not run any more: it fails instead. */
        void abandon() {
            abandoned = true;
            gate.countDown();
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public RunningKernel start(KernelSpec spec, StartListener listener) throws KernelStartException {
            if (spec.kernelId().startsWith("slow-")) {
                listener.pulling(spec.image());
                try {
                    if (!gate.await(60, TimeUnit.SECONDS)) throw new KernelStartException("the gate stayed shut");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new KernelStartException("interrupted at the gate", e);
                }
                if (abandoned) throw new KernelStartException("abandoned");
            }
            return delegate.start(spec, listener);
        }

        @Override
        public List<Recovered> recover() {
            return delegate.recover();
        }
    }

    private void send(String agentId, AgentCommand command) throws Exception {
        String topic = topics.agentCommands.name();
        command.setAgentId(agentId);
        producer.send(new ProducerRecord<>(topic, agentId.getBytes(StandardCharsets.UTF_8),
                BerthSerdes.AGENT_COMMAND.serialize(topic, command))).get();
    }

    /** Reads kernel events until the kernel has one of {@code kind}; returns the kernel's events so far. */
    private List<KernelEvent> eventsOf(String kernelId, KernelEventKind kind) {
        events.until(records -> records.stream().anyMatch(r -> r.value().getKernelId().equals(kernelId) && r.value().getKind() == kind));
        return events.values().stream().filter(e -> e.getKernelId().equals(kernelId)).toList();
    }

    private static ConsumerRecord<String, AgentHeartbeat> heartbeatWhere(TopicReader<AgentHeartbeat> heartbeats,
                                                                         Predicate<AgentHeartbeat> wanted) {
        return heartbeats.until(records -> records.stream().anyMatch(r -> wanted.test(r.value())))
                .stream().filter(r -> wanted.test(r.value())).findFirst().orElseThrow();
    }

    private Check health(String name) {
        return health.runAll().join().get(name);
    }

    private static List<KernelEventKind> kinds(List<KernelEvent> events) {
        return events.stream().map(KernelEvent::getKind).toList();
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        assertNotNull(header, "header " + name);
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    private static AgentCommand create(String kernelId, String sessionId, String command, Map<String, Long> resources) {
        return command(CreateKernel.newBuilder()
                .setKernelId(kernelId)
                .setSessionId(sessionId)
                .setSessionName("test-" + sessionId)
                .setSessionType(SessionType.BATCH)
                .setImage("python:3.12")
                .setArchitecture("x86_64")
                .setCommand(command)
                .setEnviron(Map.of())
                .setResources(resources)
                .setClusterRole("main")
                .setClusterIdx(1)
                .setClusterHostname("main1")
                .build());
    }

    private static AgentCommand destroy(String kernelId, String sessionId, String reason) {
        return command(DestroyKernel.newBuilder().setKernelId(kernelId).setSessionId(sessionId).setReason(reason).build());
    }

    private static AgentCommand command(Object op) {
        return AgentCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setAgentId(AGENT)
                .setAt(Instant.now())
                .setOp(op)
                .build();
    }
}
