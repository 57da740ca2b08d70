package dev.berth.topology;

import static dev.berth.topology.Fixtures.GIB;
import static dev.berth.topology.Fixtures.create;
import static dev.berth.topology.Fixtures.heartbeat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.schema.BerthSerdes;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.schema.avro.KernelStatus;
import dev.berth.schema.avro.ScalingGroupConfig;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionRequest;
import dev.berth.topology.placement.PlacementOptions;
import dev.berth.topology.placement.PlacementOptions.GroupOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SCH-03: sessions pending longer than their scaling group allows are cancelled. */
class PendingTimeoutTest {

    private final Topics topics = Topics.withPrefix("", 1);
    private final PlacementOptions options = PlacementOptions.DEFAULTS
            .withGroupDefaults(GroupOptions.DEFAULTS.withPendingTimeout(Duration.ofSeconds(10)));
    @TempDir Path stateDir;
    private TopologyTestDriver driver;
    private TestInputTopic<String, SessionRequest> requests;
    private TestInputTopic<String, AgentHeartbeat> heartbeats;
    private TestOutputTopic<String, SessionEvent> sessionEvents;
    private TestOutputTopic<String, AgentCommand> commands;

    @BeforeEach
    void start() {
        Properties props = Fixtures.driverProps("pending-timeout-test", stateDir, topics);
        driver = new TopologyTestDriver(SchedulerTopology.build(topics, options), props, Instant.ofEpochMilli(0));
        requests = driver.createInputTopic(topics.sessionRequests.name(), new StringSerializer(), BerthSerdes.SESSION_REQUEST);
        heartbeats = driver.createInputTopic(topics.agentHeartbeats.name(), new StringSerializer(), BerthSerdes.AGENT_HEARTBEAT);
        sessionEvents = driver.createOutputTopic(topics.sessionEvents.name(), BerthSerdes.KEY.deserializer(), BerthSerdes.SESSION_EVENT);
        commands = driver.createOutputTopic(topics.agentCommands.name(), BerthSerdes.KEY.deserializer(), BerthSerdes.AGENT_COMMAND);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    @DisplayName("SCH-03 a session pending as long as its group's timeout is CANCELLED with pending-timeout, kernels too")
    void timedOutSessionIsCancelled() {
        requests.pipeInput("s1", create("s1", 1000, 1_000), 1_000);
        driver.advanceWallClockTime(Duration.ofMillis(10_500)); // 9.5 s after creation: still waiting
        List<SessionEvent> waiting = sessionEvents.readValuesToList();
        assertEquals(List.of(SessionEventKind.ENQUEUED, SessionEventKind.WAITING), kinds(waiting));
        assertEquals("no-available-instances", waiting.get(1).getSession().getStatusInfo());

        driver.advanceWallClockTime(Duration.ofMillis(500)); // now = created + 10 s: AMB-11 counts >=
        List<SessionEvent> events = sessionEvents.readValuesToList();
        assertEquals(List.of(SessionEventKind.CANCELLED), kinds(events));
        SessionEvent cancelled = events.get(0);
        assertEquals("pending-timeout", cancelled.getReason());
        assertEquals("pending-timeout", cancelled.getSession().getStatusInfo());
        assertEquals(KernelStatus.CANCELLED, cancelled.getSession().getKernels().get(0).getStatus());

        heartbeats.pipeInput("a1", heartbeat("a1", 4000, 8 * GIB, 12_000), 12_000);
        assertTrue(commands.isEmpty(), "a cancelled session is never placed");
    }

    @Test
    @DisplayName("SCH-03 a session placed before its timeout is not touched, and a zero timeout disables the check")
    void placedSessionIsNotCancelled() {
        heartbeats.pipeInput("a1", heartbeat("a1", 4000, 8 * GIB, 1_000), 1_000);
        requests.pipeInput("s1", create("s1", 1000, 1_000), 1_000);
        driver.advanceWallClockTime(Duration.ofMillis(1_005)); // a placement pass
        driver.advanceWallClockTime(Duration.ofSeconds(60));
        assertEquals(List.of(SessionEventKind.ENQUEUED, SessionEventKind.SCHEDULED), kinds(sessionEvents.readValuesToList()));
    }

    @Test
    @DisplayName("a pending timeout set while the topology runs (the shared configuration) applies to sessions already waiting")
    void timeoutChangedLive() {
        driver.close();
        var live = new java.util.concurrent.atomic.AtomicReference<>(PlacementOptions.DEFAULTS);
        Properties props = Fixtures.driverProps("pending-timeout-test", stateDir, topics);
        driver = new TopologyTestDriver(SchedulerTopology.build(topics, dev.berth.topology.admission.AdmissionOptions.DEFAULTS, live::get,
                SchedulerObserver.NONE), props, Instant.ofEpochMilli(0));
        requests = driver.createInputTopic(topics.sessionRequests.name(), new StringSerializer(), BerthSerdes.SESSION_REQUEST);
        sessionEvents = driver.createOutputTopic(topics.sessionEvents.name(), BerthSerdes.KEY.deserializer(), BerthSerdes.SESSION_EVENT);

        requests.pipeInput("s1", create("s1", 1000, 1_000), 1_000);
        driver.advanceWallClockTime(Duration.ofSeconds(30));
        assertEquals(List.of(SessionEventKind.ENQUEUED, SessionEventKind.WAITING), kinds(sessionEvents.readValuesToList()));

        live.set(PlacementOptions.DEFAULTS.withGroupDefaults(GroupOptions.DEFAULTS.withPendingTimeout(Duration.ofSeconds(20))));
        driver.advanceWallClockTime(Duration.ofSeconds(2));

        List<SessionEvent> events = sessionEvents.readValuesToList();
        assertEquals(List.of(SessionEventKind.CANCELLED), kinds(events));
        assertEquals("pending-timeout", events.get(0).getReason());
    }

    @Test
    @DisplayName("SCH-03 the timeout is per scaling group: a group without one keeps its sessions waiting")
    void timeoutIsPerGroup() {
        driver.close();
        Properties props = Fixtures.driverProps("pending-timeout-test", stateDir, topics);
        var perGroup = new PlacementOptions(Duration.ofSeconds(40), Duration.ofMinutes(2), Duration.ofHours(1), GroupOptions.DEFAULTS,
                Map.of("gpu", GroupOptions.DEFAULTS.withPendingTimeout(Duration.ofSeconds(5))));
        driver = new TopologyTestDriver(SchedulerTopology.build(topics, perGroup), props, Instant.ofEpochMilli(0));
        requests = driver.createInputTopic(topics.sessionRequests.name(), new StringSerializer(), BerthSerdes.SESSION_REQUEST);
        sessionEvents = driver.createOutputTopic(topics.sessionEvents.name(), BerthSerdes.KEY.deserializer(), BerthSerdes.SESSION_EVENT);

        var gpuSpec = Fixtures.spec("in-gpu", 1000, GIB, 1, dev.berth.schema.avro.ClusterMode.SINGLE_NODE, dev.berth.schema.avro.SessionType.BATCH);
        gpuSpec.setScalingGroup("gpu");
        requests.pipeInput("g1", create("g1", gpuSpec, 1_000), 1_000);
        requests.pipeInput("d1", create("d1", 1000, 1_000), 1_000);
        driver.advanceWallClockTime(Duration.ofSeconds(30));

        List<SessionEvent> events = sessionEvents.readValuesToList();
        assertEquals(List.of("g1:ENQUEUED", "d1:ENQUEUED", "g1:CANCELLED"),
                events.stream().filter(e -> e.getKind() != SessionEventKind.WAITING).map(e -> e.getSessionId() + ":" + e.getKind()).toList());
    }

    @Test
    @DisplayName("RES-07 a group's pending timeout set on config.scaling-groups applies without a restart")
    void timeoutFromGroupConfig() {
        driver.close();
        Properties props = Fixtures.driverProps("pending-timeout-test", stateDir, topics);
        driver = new TopologyTestDriver(SchedulerTopology.build(topics, PlacementOptions.DEFAULTS), props, Instant.ofEpochMilli(0));
        requests = driver.createInputTopic(topics.sessionRequests.name(), new StringSerializer(), BerthSerdes.SESSION_REQUEST);
        sessionEvents = driver.createOutputTopic(topics.sessionEvents.name(), BerthSerdes.KEY.deserializer(), BerthSerdes.SESSION_EVENT);
        var groups = driver.createInputTopic(topics.configScalingGroups.name(), new StringSerializer(), BerthSerdes.SCALING_GROUP_CONFIG);

        requests.pipeInput("s1", create("s1", 1000, 1_000), 1_000);
        driver.advanceWallClockTime(Duration.ofSeconds(10));
        assertTrue(kinds(sessionEvents.readValuesToList()).stream().noneMatch(k -> k == SessionEventKind.CANCELLED), "no timeout by default");

        groups.pipeInput("default", ScalingGroupConfig.newBuilder().setName("default").setPendingTimeoutMs(5_000).build(), 11_000);
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        List<SessionEvent> events = sessionEvents.readValuesToList();
        assertEquals(List.of(SessionEventKind.CANCELLED), kinds(events));
        assertEquals("pending-timeout", events.get(0).getReason());
    }

    private static List<SessionEventKind> kinds(List<SessionEvent> events) {
        return events.stream().map(SessionEvent::getKind).toList();
    }
}
