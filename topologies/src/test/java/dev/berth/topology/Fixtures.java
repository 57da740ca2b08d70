package dev.berth.topology;

import dev.berth.schema.KernelIds;
import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.schema.avro.ClusterMode;
import dev.berth.schema.avro.CreateSession;
import dev.berth.schema.avro.DestroySession;
import dev.berth.schema.avro.KernelEvent;
import dev.berth.schema.avro.KernelEventKind;
import dev.berth.schema.avro.SessionRequest;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionType;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Small builders for the records tests feed to topologies. */
public final class Fixtures {

    public static final long GIB = 1L << 30;

    private Fixtures() {}

    /** Streams settings for a TopologyTestDriver: the dead-letter handling the scheduler runs with, a private state dir. */
    public static java.util.Properties driverProps(String applicationId, java.nio.file.Path stateDir, dev.berth.schema.Topics topics) {
        var props = new java.util.Properties();
        props.put(org.apache.kafka.streams.StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(org.apache.kafka.streams.StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(org.apache.kafka.streams.StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(org.apache.kafka.streams.StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                org.apache.kafka.streams.errors.LogAndContinueExceptionHandler.class);
        props.put(org.apache.kafka.streams.StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler.class);
        props.put(org.apache.kafka.streams.StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, topics.deadLetters.name());
        return props;
    }

    public static SessionSpec spec(String name, long cpuThousandths, long memBytes, int clusterSize, ClusterMode mode, SessionType type) {
        return SessionSpec.newBuilder()
                .setName(name)
                .setImage("python:3")
                .setSessionType(type)
                .setClusterMode(mode)
                .setClusterSize(clusterSize)
                .setResources(Map.of("cpu", cpuThousandths, "mem", memBytes))
                .setCommand("sleep 60")
                .build();
    }

    public static SessionRequest create(String sessionId, SessionSpec spec, long at) {
        return SessionRequest.newBuilder()
                .setRequestId("r-" + sessionId)
                .setSessionId(sessionId)
                .setAt(Instant.ofEpochMilli(at))
                .setAccessKey("AKTEST")
                .setOp(new CreateSession(spec))
                .build();
    }

    public static SessionRequest create(String sessionId, long cpuThousandths, long at) {
        return create(sessionId, spec("s-" + sessionId, cpuThousandths, GIB, 1, ClusterMode.SINGLE_NODE, SessionType.INTERACTIVE), at);
    }

    public static SessionRequest destroy(String sessionId, boolean forced, long at) {
        return SessionRequest.newBuilder()
                .setRequestId("d-" + sessionId + "-" + at)
                .setSessionId(sessionId)
                .setAt(Instant.ofEpochMilli(at))
                .setAccessKey("AKTEST")
                .setOp(new DestroySession(forced, "user-requested"))
                .build();
    }

    public static AgentHeartbeat heartbeat(String agentId, long cpuThousandths, long memBytes, long at) {
        return AgentHeartbeat.newBuilder()
                .setAgentId(agentId)
                .setAt(Instant.ofEpochMilli(at))
                .setScalingGroup("default")
                .setAddress("127.0.0.1")
                .setRuntime("process")
                .setVersion("test")
                .setCapacity(Map.of("cpu", cpuThousandths, "mem", memBytes))
                .setOccupied(Map.of())
                .setKernels(List.of())
                .build();
    }

    public static KernelEvent kernelEvent(String sessionId, int index, String agentId, KernelEventKind kind, Integer exitCode, String reason, long at) {
        return KernelEvent.newBuilder()
                .setKernelId(KernelIds.of(sessionId, index))
                .setSessionId(sessionId)
                .setAgentId(agentId)
                .setAt(Instant.ofEpochMilli(at))
                .setKind(kind)
                .setExitCode(exitCode)
                .setReason(reason)
                .build();
    }
}
