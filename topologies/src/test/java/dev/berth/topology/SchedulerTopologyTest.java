package dev.berth.topology;

import static dev.berth.topology.Fixtures.GIB;
import static dev.berth.topology.Fixtures.create;
import static dev.berth.topology.Fixtures.destroy;
import static dev.berth.topology.Fixtures.heartbeat;
import static dev.berth.topology.Fixtures.kernelEvent;
import static dev.berth.topology.Fixtures.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.schema.BerthSerdes;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.schema.avro.ClusterMode;
import dev.berth.schema.avro.CreateKernel;
import dev.berth.schema.avro.DestroyKernel;
import dev.berth.schema.avro.KernelEvent;
import dev.berth.schema.avro.KernelEventKind;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionRequest;
import dev.berth.schema.avro.SessionResult;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.schema.avro.SessionType;
import dev.berth.topology.admission.AdmissionOptions;
import dev.berth.topology.placement.PlacementOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admission, placement and lifecycle stages together, as {@link SchedulerTopology} wires them. */
class SchedulerTopologyTest {

    @TempDir Path stateDir;
    private SchedulerHarness h;
    private Topics topics;
    private TopologyTestDriver driver;
    private TestInputTopic<String, SessionRequest> requests;
    private TestInputTopic<String, AgentHeartbeat> heartbeats;
    private TestInputTopic<String, KernelEvent> kernelEvents;
    private TestOutputTopic<String, SessionEvent> sessionEvents;
    private TestOutputTopic<String, AgentCommand> commands;

    @BeforeEach
    void start() {
        h = new SchedulerHarness(stateDir, AdmissionOptions.DEFAULTS, PlacementOptions.DEFAULTS);
        topics = h.topics;
        driver = h.driver;
        requests = h.requests;
        heartbeats = h.heartbeats;
        kernelEvents = h.kernelEvents;
        sessionEvents = h.sessionEvents;
        commands = h.commands;
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    @DisplayName("SES-08 a created session is enqueued PENDING, placed on the agent with room, and told to that agent")
    void createIsEnqueuedPlacedAndCommanded() {
        heartbeats.pipeInput("a1", heartbeat("a1", 4000, 8 * GIB, 1_000), 1_000);
        at(1_000);
        requests.pipeInput("s1", create("s1", 1000, 2_000), 2_000);
        at(2_000);

        List<SessionEvent> events = sessionEvents.readValuesToList();
        assertEquals(List.of(SessionEventKind.ENQUEUED, SessionEventKind.SCHEDULED), kinds(events));
        assertEquals(SessionStatus.SCHEDULED, events.get(1).getSession().getStatus());
        assertEquals("a1", events.get(1).getSession().getKernels().get(0).getAgentId());

        List<TestRecord<String, AgentCommand>> sent = commands.readRecordsToList();
        assertEquals(1, sent.size());
        assertEquals("a1", sent.get(0).key());
        CreateKernel create = assertInstanceOf(CreateKernel.class, sent.get(0).value().getOp());
        assertEquals("s1", create.getSessionId());
        assertEquals("main1", create.getClusterHostname());
    }

    @Test
    @DisplayName("SES-16 kernel events drive the session to RUNNING; destroy terminates it and gives the capacity back")
    void runThenDestroyReleasesCapacity() {
        heartbeats.pipeInput("a1", heartbeat("a1", 4000, 8 * GIB, 1_000), 1_000);
        at(1_000);
        requests.pipeInput("s1", create("s1", 3000, 2_000), 2_000);
        at(2_000);
        requests.pipeInput("s2", create("s2", 3000, 2_100), 2_100);
        at(2_100);
        kernelEvents.pipeInput("s1", kernelEvent("s1", 0, "a1", KernelEventKind.PREPARING, null, null, 3_000), 3_000);
        at(3_000);
        kernelEvents.pipeInput("s1", kernelEvent("s1", 0, "a1", KernelEventKind.STARTED, null, null, 3_100), 3_100);
        at(3_100);
        assertEquals(1, commands.readValuesToList().size(), "s2 does not fit beside s1 on a 4-cpu agent");

        requests.pipeInput("s1", destroy("s1", false, 4_000), 4_000);

        at(4_000);
        List<AgentCommand> afterDestroy = commands.readValuesToList();
        assertInstanceOf(DestroyKernel.class, afterDestroy.get(0).getOp());
        assertEquals(1, afterDestroy.size(), "s1 still holds its slots until the agent reports the end");

        kernelEvents.pipeInput("s1", kernelEvent("s1", 0, "a1", KernelEventKind.TERMINATED, 143, "user-requested", 4_500), 4_500);

        at(4_500);
        List<AgentCommand> afterEnd = commands.readValuesToList();
        assertEquals(1, afterEnd.size());
        assertEquals("s2", assertInstanceOf(CreateKernel.class, afterEnd.get(0).getOp()).getSessionId());

        List<SessionEvent> s1 = sessionEvents.readValuesToList().stream().filter(e -> e.getSessionId().equals("s1")).toList();
        assertEquals(List.of(SessionEventKind.ENQUEUED, SessionEventKind.SCHEDULED, SessionEventKind.PREPARING,
                SessionEventKind.STARTED, SessionEventKind.TERMINATING, SessionEventKind.TERMINATED), kinds(s1));
        SessionEvent last = s1.get(s1.size() - 1);
        assertEquals("user-requested", last.getReason());
        assertEquals(143, last.getSession().getKernels().get(0).getExitCode());
        assertNotNull(last.getSession().getTerminatedAt());
    }

    @Test
    @DisplayName("SES-20 a batch session whose command exits ends TERMINATED with its exit code and result")
    void selfExitKeepsExitCode() {
        heartbeats.pipeInput("a1", heartbeat("a1", 4000, 8 * GIB, 1_000), 1_000);
        at(1_000);
        requests.pipeInput("b1", create("b1", spec("batch-1", 1000, GIB, 1, ClusterMode.SINGLE_NODE, SessionType.BATCH), 2_000), 2_000);
        at(2_000);
        kernelEvents.pipeInput("b1", kernelEvent("b1", 0, "a1", KernelEventKind.STARTED, null, null, 3_000), 3_000);
        at(3_000);
        kernelEvents.pipeInput("b1", kernelEvent("b1", 0, "a1", KernelEventKind.TERMINATED, 3, "self-terminated", 4_000), 4_000);
        at(4_000);

        List<SessionEvent> events = sessionEvents.readValuesToList();
        SessionEvent last = events.get(events.size() - 1);
        assertEquals(SessionEventKind.TERMINATED, last.getKind());
        assertEquals("self-terminated", last.getReason());
        assertEquals(3, last.getSession().getKernels().get(0).getExitCode());
        assertEquals(SessionResult.FAILURE, last.getSession().getResult());
    }

    @Test
    @DisplayName("API-14 destroying a PENDING session cancels it, and it is never placed afterwards")
    void destroyPendingCancels() {
        requests.pipeInput("s1", create("s1", 1000, 1_000), 1_000);
        at(1_000);
        requests.pipeInput("s1", destroy("s1", false, 1_500), 1_500);
        at(1_500);
        heartbeats.pipeInput("a1", heartbeat("a1", 4000, 8 * GIB, 2_000), 2_000);
        at(2_000);

        // no agent at first: the session waits with that reason until the destroy
        assertEquals(List.of(SessionEventKind.ENQUEUED, SessionEventKind.WAITING, SessionEventKind.CANCELLED), kinds(sessionEvents.readValuesToList()));
        assertTrue(commands.isEmpty(), "a cancelled session gets no kernel");
    }

    @Test
    @DisplayName("AGT-03 an agent whose heartbeat is stale gets no new work")
    void staleAgentIsSkipped() {
        heartbeats.pipeInput("a1", heartbeat("a1", 4000, 8 * GIB, 1_000), 1_000);
        at(1_000);
        requests.pipeInput("s1", create("s1", 1000, 60_000), 60_000);
        at(60_000);
        assertTrue(commands.isEmpty());
        heartbeats.pipeInput("a1", heartbeat("a1", 4000, 8 * GIB, 61_000), 61_000);
        at(61_000);
        assertEquals(1, commands.readValuesToList().size());
    }

    @Test
    @DisplayName("SES-17 a kernel event the transition map forbids is ignored without an event")
    void illegalKernelTransitionIgnored() {
        heartbeats.pipeInput("a1", heartbeat("a1", 4000, 8 * GIB, 1_000), 1_000);
        at(1_000);
        requests.pipeInput("s1", create("s1", 1000, 2_000), 2_000);
        at(2_000);
        kernelEvents.pipeInput("s1", kernelEvent("s1", 0, "a1", KernelEventKind.STARTED, null, null, 3_000), 3_000);
        at(3_000);
        sessionEvents.readValuesToList();
        // RUNNING → PREPARING is not in the kernel map
        kernelEvents.pipeInput("s1", kernelEvent("s1", 0, "a1", KernelEventKind.PREPARING, null, null, 3_500), 3_500);
        at(3_500);
        assertTrue(sessionEvents.isEmpty());
    }

    @Test
    @DisplayName("a record that does not decode goes to the dead-letter topic and the stream goes on")
    void undecodableRecordGoesToDeadLetters() {
        var raw = driver.createInputTopic(topics.sessionRequests.name(), new StringSerializer(), new ByteArraySerializer());
        raw.pipeInput("junk", "not avro".getBytes(StandardCharsets.UTF_8), 1_000);
        at(1_000);
        requests.pipeInput("s1", create("s1", 1000, 2_000), 2_000);
        at(2_000);

        var dead = driver.createOutputTopic(topics.deadLetters.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        var letters = dead.readRecordsToList();
        assertEquals(1, letters.size());
        assertEquals("not avro", new String(letters.get(0).value(), StandardCharsets.UTF_8));
        assertTrue(letters.get(0).headers().toArray().length > 0, "the reason travels in headers");
        assertEquals(List.of(SessionEventKind.ENQUEUED, SessionEventKind.WAITING), kinds(sessionEvents.readValuesToList()));
    }

    @Test
    @DisplayName("a create with a negative resource is dead-lettered with the reason, not placed")
    void invalidCreateIsDeadLettered() {
        heartbeats.pipeInput("a1", heartbeat("a1", 4000, 8 * GIB, 1_000), 1_000);
        at(1_000);
        requests.pipeInput("bad", create("bad", -1000, 2_000), 2_000);
        at(2_000);

        var dead = driver.createOutputTopic(topics.deadLetters.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        var letters = dead.readRecordsToList();
        assertEquals(1, letters.size());
        String headers = java.util.Arrays.stream(letters.get(0).headers().toArray())
                .map(h -> h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8)).toList().toString();
        assertTrue(headers.contains("resources.cpu is negative"), headers);
        assertTrue(commands.isEmpty());
    }

    private void at(long ms) {
        h.at(ms);
    }

    private static List<SessionEventKind> kinds(List<SessionEvent> events) {
        return events.stream().map(SessionEvent::getKind).toList();
    }
}
