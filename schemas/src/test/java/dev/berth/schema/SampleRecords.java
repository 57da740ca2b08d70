package dev.berth.schema;

import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.schema.avro.AgentLost;
import dev.berth.schema.avro.ClusterMode;
import dev.berth.schema.avro.CreateKernel;
import dev.berth.schema.avro.CreateSession;
import dev.berth.schema.avro.DestroyKernel;
import dev.berth.schema.avro.SetSchedulable;
import dev.berth.schema.avro.DestroySession;
import dev.berth.schema.avro.IdleState;
import dev.berth.schema.avro.KernelBinding;
import dev.berth.schema.avro.KernelEvent;
import dev.berth.schema.avro.KernelEventKind;
import dev.berth.schema.avro.KernelInfo;
import dev.berth.schema.avro.KernelMark;
import dev.berth.schema.avro.KernelRole;
import dev.berth.schema.avro.KernelStats;
import dev.berth.schema.avro.KernelStatus;
import dev.berth.schema.avro.KernelUtilization;
import dev.berth.schema.avro.KeypairConfig;
import dev.berth.schema.avro.LimitScope;
import dev.berth.schema.avro.PredicateFailure;
import dev.berth.schema.avro.RenameSession;
import dev.berth.schema.avro.ResourceLimits;
import dev.berth.schema.avro.ScalingGroupConfig;
import dev.berth.schema.avro.SchedulerStatus;
import dev.berth.schema.avro.SchedulingUpdate;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionActivity;
import dev.berth.schema.avro.SessionAdmitted;
import dev.berth.schema.avro.SessionEnded;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionOutcome;
import dev.berth.schema.avro.SessionPlaced;
import dev.berth.schema.avro.SessionRequest;
import dev.berth.schema.avro.SessionResult;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.schema.avro.SessionType;
import dev.berth.schema.avro.UnspecifiedSlots;
import dev.berth.schema.avro.UsageMeter;
import dev.berth.schema.avro.UsageOwnerKind;
import dev.berth.schema.avro.UsagePeriod;
import dev.berth.schema.avro.UsageRecord;
import dev.berth.schema.avro.UserRole;
import dev.berth.schema.avro.WebhookDeadLetter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One record of each type with every field set, optional ones included and no field at its default,
 * so that a round trip proves each field is carried. Timestamps are whole milliseconds, as the wire keeps them.
 */
final class SampleRecords {

    static final String SESSION_ID = "3f1c2a9e-5b7d-4c1e-9a0b-2d4e6f8a1c3e";
    static final Instant AT = Instant.ofEpochMilli(1_700_000_123_456L);
    static final long GIB = 1L << 30;

    private SampleRecords() {}

    /** Map.of iterates in an order that changes with every JVM; sorted maps make the bytes the same on every run. */
    private static <V> Map<String, V> sorted(Map<String, V> map) {
        return new TreeMap<>(map);
    }

    static SessionSpec spec() {
        return SessionSpec.newBuilder()
                .setName("train-42")
                .setImage("registry.local/python:3.12")
                .setArchitecture("aarch64")
                .setSessionType(SessionType.BATCH)
                .setClusterMode(ClusterMode.MULTI_NODE)
                .setClusterSize(2)
                .setResources(sorted(Map.of("cpu", 1500L, "mem", 2 * GIB, "cuda.shares", 250L)))
                .setCommand("python train.py")
                .setEnviron(sorted(Map.of("EPOCHS", "3", "LANG", "C.UTF-8")))
                .setScalingGroup("gpu")
                .setDomain("research")
                .setProject("vision")
                .setCallbackUrl("http://127.0.0.1:9000/callback")
                .setTag("nightly")
                .setRole(KernelRole.SYSTEM)
                .setUserId("user-7")
                .setDependencies(List.of("s-dep-1", "s-dep-2"))
                .setStartsAt(AT.plusSeconds(60))
                .setMaxRetries(2)
                .setBootstrapScript("pip install -r requirements.txt")
                .build();
    }

    static SessionRequest create() {
        return request("req-create", new CreateSession(spec()));
    }

    static SessionRequest destroy() {
        return request("req-destroy", new DestroySession(true, "admin-forced"));
    }

    static SessionRequest rename() {
        return request("req-rename", new RenameSession("train-43"));
    }

    private static SessionRequest request(String requestId, Object op) {
        return SessionRequest.newBuilder()
                .setRequestId(requestId)
                .setSessionId(SESSION_ID)
                .setAt(AT)
                .setAccessKey("AKIAIOSFODNN7EXAMPLE")
                .setOp(op)
                .build();
    }

    static Session session() {
        return Session.newBuilder()
                .setSessionId(SESSION_ID)
                .setAccessKey("AKIAIOSFODNN7EXAMPLE")
                .setSpec(spec())
                .setStatus(SessionStatus.TERMINATED)
                .setStatusInfo("user-requested")
                .setStatusHistory(sorted(Map.of("PENDING", AT.toEpochMilli(), "TERMINATED", AT.toEpochMilli() + 5_000)))
                .setResult(SessionResult.SUCCESS)
                .setCreatedAt(AT)
                .setTerminatedAt(AT.plusSeconds(5))
                .setKernels(List.of(kernel(0, "main", 1), kernel(1, "sub", 1)))
                .setScheduler(schedulerStatus())
                .setError("image python:3.12 not found")
                .setRequeues(1)
                .setVersion(7)
                .build();
    }

    static SchedulerStatus schedulerStatus() {
        return SchedulerStatus.newBuilder()
                .setRetries(3)
                .setLastTry(AT.plusSeconds(2))
                .setFailedPredicates(List.of(new PredicateFailure("concurrency", "You cannot run more than 2 concurrent sessions")))
                .setPassedPredicates(List.of("reserved_time", "dependencies"))
                .setMsg(null)
                .build();
    }

    static SessionOutcome outcome() {
        return new SessionOutcome(SESSION_ID, SessionStatus.TERMINATED, SessionResult.FAILURE, AT.plusSeconds(9));
    }

    static SessionEnded ended() {
        return new SessionEnded(SESSION_ID, AT.plusSeconds(9), SessionStatus.ERROR, SessionResult.UNDEFINED, "gpu", "research");
    }

    static SessionRequest agentLost() {
        return request("req-lost", new AgentLost("agent-3"));
    }

    static SchedulingUpdate schedulingUpdate() {
        return new SchedulingUpdate(SESSION_ID, AT.plusSeconds(2), "predicate-checks-failed", schedulerStatus());
    }

    static KeypairConfig keypair() {
        return new KeypairConfig("AKIAIOSFODNN7EXAMPLE", "user-7", "research", UserRole.ADMIN, true, "gpu-users", 5000, 12L);
    }

    static ResourceLimits limits() {
        return ResourceLimits.newBuilder()
                .setScope(LimitScope.KEYPAIR_POLICY)
                .setId("gpu-users")
                .setTotalResourceSlots(sorted(Map.of("cpu", 64_000L, "mem", 256 * GIB)))
                .setDefaultForUnspecified(UnspecifiedSlots.LIMITED)
                .setMaxConcurrentSessions(5)
                .setMaxContainersPerSession(4)
                .setIdleTimeoutSeconds(3600)
                .setMaxSessionLifetimeSeconds(86_400)
                .setVersion(3)
                .build();
    }

    static ScalingGroupConfig scalingGroup() {
        return ScalingGroupConfig.newBuilder()
                .setName("gpu")
                .setActive(true)
                .setIsPublic(false)
                .setScheduler("drf")
                .setSchedulerConfig(sorted(Map.of("num_retries_to_skip", "2")))
                .setAllowedSessionTypes(List.of(SessionType.BATCH, SessionType.INTERACTIVE))
                .setPendingTimeoutMs(600_000)
                .setVersion(9)
                .build();
    }

    static KernelStats kernelStats() {
        return KernelStats.newBuilder()
                .setKernelId(KernelIds.of(SESSION_ID, 0))
                .setSessionId(SESSION_ID)
                .setAgentId("agent-0")
                .setAt(AT)
                .setSeq(41)
                .setCpuUsedMs(12_345)
                .setCpuPercent(87.5)
                .setMemBytes(GIB)
                .setMemPeakBytes(2 * GIB)
                .setNetRxBytes(1024)
                .setNetTxBytes(2048)
                .setIoReadBytes(4096)
                .setIoWriteBytes(8192)
                .setAccelerators(sorted(Map.of("cuda.shares", 40.0)))
                .build();
    }

    private static KernelInfo kernel(int index, String role, int idx) {
        return KernelInfo.newBuilder()
                .setKernelId(KernelIds.of(SESSION_ID, index))
                .setClusterRole(role)
                .setClusterIdx(idx)
                .setClusterHostname(role + idx)
                .setStatus(KernelStatus.TERMINATED)
                .setAgentId("agent-" + index)
                .setContainerId("container-" + index)
                .setExitCode(index)
                .build();
    }

    static SessionEvent sessionEvent() {
        return SessionEvent.newBuilder()
                .setSessionId(SESSION_ID)
                .setAt(AT.plusSeconds(5))
                .setKind(SessionEventKind.TERMINATED)
                .setReason("user-requested")
                .setSession(session())
                .build();
    }

    static KernelEvent kernelEvent() {
        return KernelEvent.newBuilder()
                .setKernelId(KernelIds.of(SESSION_ID, 0))
                .setSessionId(SESSION_ID)
                .setAgentId("agent-0")
                .setAt(AT)
                .setKind(KernelEventKind.TERMINATED)
                .setReason("self-terminated")
                .setExitCode(137)
                .setContainerId("container-0")
                .setError("killed by the OOM killer")
                .build();
    }

    static AgentHeartbeat heartbeat() {
        return AgentHeartbeat.newBuilder()
                .setAgentId("agent-0")
                .setAt(AT)
                .setScalingGroup("gpu")
                .setAddress("127.0.0.1:6001")
                .setArchitecture("aarch64")
                .setRuntime("process")
                .setVersion("0.1.0")
                .setSchedulable(false)
                .setCapacity(sorted(Map.of("cpu", 8000L, "mem", 16 * GIB, "cuda.shares", 1000L)))
                .setOccupied(sorted(Map.of("cpu", 1500L, "mem", 2 * GIB)))
                .setKernels(List.of(KernelIds.of(SESSION_ID, 0), KernelIds.of(SESSION_ID, 1)))
                .build();
    }

    static AgentCommand createKernel() {
        return command("create", CreateKernel.newBuilder()
                .setKernelId(KernelIds.of(SESSION_ID, 1))
                .setSessionId(SESSION_ID)
                .setSessionName("train-42")
                .setSessionType(SessionType.INFERENCE)
                .setImage("registry.local/python:3.12")
                .setArchitecture("aarch64")
                .setCommand("python serve.py")
                .setEnviron(sorted(Map.of("PORT", "8080")))
                .setResources(sorted(Map.of("cpu", 1500L, "mem", 2 * GIB)))
                .setClusterRole("sub")
                .setClusterIdx(1)
                .setClusterHostname("sub1")
                .setClusterSize(2)
                .setClusterHosts(List.of("main1", "sub1"))
                .setAccessKey("AKIAIOSFODNN7EXAMPLE")
                .setBootstrapScript("pip install -r requirements.txt")
                .build());
    }

    static AgentCommand destroyKernel() {
        return command("destroy", new DestroyKernel(KernelIds.of(SESSION_ID, 1), SESSION_ID, "user-requested"));
    }

    static AgentCommand setSchedulable() {
        return command("unschedulable", new SetSchedulable(false, "AKIAIOSFODNN7EXAMPLE"));
    }

    private static AgentCommand command(String what, Object op) {
        return AgentCommand.newBuilder()
                .setCommandId(KernelIds.of(SESSION_ID, 1) + ":" + what)
                .setAgentId("agent-1")
                .setAt(AT)
                .setOp(op)
                .build();
    }

    static SessionAdmitted admitted() {
        return SessionAdmitted.newBuilder()
                .setSessionId(SESSION_ID)
                .setAccessKey("AKIAIOSFODNN7EXAMPLE")
                .setAt(AT)
                .setSpec(spec())
                .setKernelIds(List.of(KernelIds.of(SESSION_ID, 0), KernelIds.of(SESSION_ID, 1)))
                .setRetries(4)
                .build();
    }

    static SessionPlaced placed() {
        return SessionPlaced.newBuilder()
                .setSessionId(SESSION_ID)
                .setAt(AT)
                .setScalingGroup("gpu")
                .setBindings(List.of(
                        new KernelBinding(KernelIds.of(SESSION_ID, 0), "agent-0", sorted(Map.of("cpu", 1500L, "mem", 2 * GIB))),
                        new KernelBinding(KernelIds.of(SESSION_ID, 1), "agent-1", sorted(Map.of("cpu", 1500L, "mem", 2 * GIB)))))
                .build();
    }

    static SessionActivity activity() {
        return new SessionActivity(SESSION_ID, AT.plusSeconds(7), "AKIAIOSFODNN7EXAMPLE", "execute");
    }

    static WebhookDeadLetter webhookDeadLetter() {
        return WebhookDeadLetter.newBuilder()
                .setDeliveryId("0b4f6c2e-9d1a-8e3b-a2c4-5f6e7d8c9b0a")
                .setEventId("7c1d2e3f-4a5b-8c6d-9e0f-1a2b3c4d5e6f")
                .setSubscriptionId("5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b")
                .setUrl("https://hooks.example.com/berth")
                .setSessionId(SESSION_ID)
                .setEvent("started")
                .setVersion(5)
                .setAttempts(6)
                .setReason("HTTP 503")
                .setFailedAt(AT.plusSeconds(63))
                .setPayload("{\"type\":\"session_lifecycle\",\"event\":\"started\"}")
                .build();
    }

    static UsageRecord usage() {
        return UsageRecord.newBuilder()
                .setOwnerKind(UsageOwnerKind.PROJECT)
                .setOwner("vision")
                .setDomain("research")
                .setPeriod(UsagePeriod.HOURLY)
                .setWindowStart(Instant.parse("2026-11-25T12:00:00Z"))
                .setWindowEnd(Instant.parse("2026-11-25T13:00:00Z"))
                .setAllocatedSlotSeconds(sorted(Map.of("cpu", 7200.0, "mem", 3600.0 * GIB)))
                .setCpuUsedSeconds(1234.5)
                .setMemPeakBytes(2 * GIB)
                .setIoReadBytes(4096)
                .setIoWriteBytes(8192)
                .setNetRxBytes(1024)
                .setNetTxBytes(2048)
                .setSamples(720)
                .setUpdatedAt(Instant.parse("2026-11-25T12:59:58Z"))
                .build();
    }

    static IdleState idleState() {
        return IdleState.newBuilder()
                .setSessionId(SESSION_ID)
                .setAccessKey("AKIAIOSFODNN7EXAMPLE")
                .setUserId("user-7")
                .setSessionType("INTERACTIVE")
                .setScalingGroup("gpu")
                .setClusterSize(2)
                .setResources(sorted(Map.of("cpu", 2000L, "mem", 4 * GIB)))
                .setMainKernelId(KernelIds.of(SESSION_ID, 0))
                .setRunning(true)
                .setCreatedAt(AT.toEpochMilli())
                .setLastAccess(AT.toEpochMilli() + 60_000)
                .setUserSince(AT.toEpochMilli() - 86_400_000L)
                .setLastCollected(AT.toEpochMilli() + 30_000)
                .setSeries(sorted(Map.of("cpu_util", List.of(12.5, 3.0), "mem", List.of(40.0, 41.0))))
                .setLatest(Map.of(KernelIds.of(SESSION_ID, 0), new KernelUtilization(41L, AT.toEpochMilli() + 30_000, 87.5, GIB, sorted(Map.of("cuda.shares", 40.0)))))
                .setTerminating(null)
                .build();
    }

    static UsageMeter usageMeter() {
        return UsageMeter.newBuilder()
                .setSessionId(SESSION_ID)
                .setUserId("user-7")
                .setProject("vision")
                .setDomain("research")
                .setResources(sorted(Map.of("cpu", 2000L, "mem", 4 * GIB)))
                .setRunningSince(AT.toEpochMilli())
                .setEndedAt(null)
                .setKernels(Map.of(KernelIds.of(SESSION_ID, 0), new KernelMark(41L, AT.toEpochMilli() + 5_000, 12_345L, 4096L, 8192L, 1024L, 2048L)))
                .build();
    }
}
