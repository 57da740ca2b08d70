package dev.berth.topology;

import dev.berth.schema.BerthSerdes;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.schema.avro.KernelEvent;
import dev.berth.schema.avro.KeypairConfig;
import dev.berth.schema.avro.ResourceLimits;
import dev.berth.schema.avro.ScalingGroupConfig;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionRequest;
import dev.berth.topology.admission.AdmissionOptions;
import dev.berth.topology.placement.PlacementOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The whole scheduler topology in a TopologyTestDriver whose wall clock starts at 0 and moves only
 * when a test says so, with an input for every topic a test writes and the outputs it reads.
 */
public final class SchedulerHarness implements AutoCloseable {

    public final Topics topics = Topics.withPrefix("", 1);
    public final TopologyTestDriver driver;
    public final TestInputTopic<String, SessionRequest> requests;
    public final TestInputTopic<String, AgentHeartbeat> heartbeats;
    public final TestInputTopic<String, KernelEvent> kernelEvents;
    public final TestInputTopic<String, KeypairConfig> keypairs;
    public final TestInputTopic<String, ResourceLimits> limits;
    public final TestInputTopic<String, ScalingGroupConfig> groups;
    public final TestOutputTopic<String, SessionEvent> sessionEvents;
    public final TestOutputTopic<String, AgentCommand> commands;
    /** Every session event read so far, in order. */
    public final List<SessionEvent> seen = new ArrayList<>();
    private long wallClockMs;

    public SchedulerHarness(Path stateDir, AdmissionOptions admission, PlacementOptions placement) {
        this(stateDir, admission, placement, SchedulerObserver.NONE);
    }

    public SchedulerHarness(Path stateDir, AdmissionOptions admission, PlacementOptions placement, SchedulerObserver observer) {
        driver = new TopologyTestDriver(SchedulerTopology.build(topics, admission, placement, observer),
                Fixtures.driverProps("harness", stateDir, topics), Instant.ofEpochMilli(0));
        var key = new StringSerializer();
        requests = driver.createInputTopic(topics.sessionRequests.name(), key, BerthSerdes.SESSION_REQUEST);
        heartbeats = driver.createInputTopic(topics.agentHeartbeats.name(), key, BerthSerdes.AGENT_HEARTBEAT);
        kernelEvents = driver.createInputTopic(topics.kernelEvents.name(), key, BerthSerdes.KERNEL_EVENT);
        keypairs = driver.createInputTopic(topics.configKeypairs.name(), key, BerthSerdes.KEYPAIR_CONFIG);
        limits = driver.createInputTopic(topics.configLimits.name(), key, BerthSerdes.RESOURCE_LIMITS);
        groups = driver.createInputTopic(topics.configScalingGroups.name(), key, BerthSerdes.SCALING_GROUP_CONFIG);
        sessionEvents = driver.createOutputTopic(topics.sessionEvents.name(), BerthSerdes.KEY.deserializer(), BerthSerdes.SESSION_EVENT);
        commands = driver.createOutputTopic(topics.agentCommands.name(), BerthSerdes.KEY.deserializer(), BerthSerdes.AGENT_COMMAND);
    }

    /**
     * Moves the wall clock to {@code ms} (at least one 5 ms pass on), then two passes further. The
     * driver fires each due punctuation once per move, so a session that admission lets go in one
     * pass is placed in the next, as in production a few milliseconds later.
     */
    public void at(long ms) {
        step(Math.max(wallClockMs + 5, ms));
        step(wallClockMs + 5);
        step(wallClockMs + 5);
    }

    private void step(long target) {
        driver.advanceWallClockTime(Duration.ofMillis(target - wallClockMs));
        wallClockMs = target;
    }

    public long now() {
        return wallClockMs;
    }

    /** The session events published since the last call. */
    public List<SessionEvent> newEvents() {
        List<SessionEvent> fresh = sessionEvents.readValuesToList();
        seen.addAll(fresh);
        return fresh;
    }

    /** The latest state of a session among the events read so far (reads the new ones first). */
    public SessionEvent last(String sessionId) {
        newEvents();
        for (int i = seen.size() - 1; i >= 0; i--) if (seen.get(i).getSessionId().equals(sessionId)) return seen.get(i);
        throw new AssertionError("no event of " + sessionId);
    }

    /** The kinds of a session's events read so far (reads the new ones first). */
    public List<SessionEventKind> kinds(String sessionId) {
        newEvents();
        return seen.stream().filter(e -> e.getSessionId().equals(sessionId)).map(SessionEvent::getKind).toList();
    }

    @Override
    public void close() {
        driver.close();
    }
}
