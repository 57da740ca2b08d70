package dev.berth.topology.usage;

import dev.berth.schema.BerthSerdes;
import dev.berth.schema.KernelIds;
import dev.berth.schema.avro.KernelInfo;
import dev.berth.schema.avro.KernelStats;
import dev.berth.schema.avro.KernelStatus;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sessions, session events and stats samples as the lifecycle and the agents publish them, for the
 * usage-metering tests. Loading this class loads {@link BerthSerdes} first: Avro 1.12.2 builds Berth
 * records only once BerthSerdes has trusted their package.
 */
final class UsageFixtures {

    static {
        BerthSerdes.USAGE_METER.type();
    }

    static final long SECOND = 1000;
    static final long MINUTE = 60 * SECOND;
    static final long HOUR = 60 * MINUTE;
    static final long MIB = 1L << 20;
    static final long GIB = 1L << 30;

    private UsageFixtures() {}

    static long utc(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    /** Who a session belongs to and what each of its kernels holds (cpu in thousandths, mem in bytes). */
    record Owner(String sessionId, String userId, String project, String domain, long cpuThousandths, long memBytes, int clusterSize) {

        String kernel(int index) {
            return KernelIds.of(sessionId, index);
        }
    }

    /**
     * The session after a change to {@code status}: created at {@code createdAt}, RUNNING since
     * {@code runningAt} (null: never ran), and ended at {@code terminatedAt} (null: not ended).
     */
    static Session session(Owner owner, SessionStatus status, long createdAt, Long runningAt, Long terminatedAt) {
        List<KernelInfo> kernels = new ArrayList<>();
        for (int i = 0; i < owner.clusterSize(); i++) {
            kernels.add(KernelInfo.newBuilder().setKernelId(owner.kernel(i)).setClusterRole(i == 0 ? "main" : "sub")
                    .setClusterIdx(i == 0 ? 1 : i).setClusterHostname("k" + i).setStatus(kernelStatus(status))
                    .setAgentId("agent-1").build());
        }
        Map<String, Long> history = new HashMap<>(Map.of(SessionStatus.PENDING.name(), createdAt));
        if (runningAt != null) history.put(SessionStatus.RUNNING.name(), runningAt);
        if (terminatedAt != null) history.put(status.name(), terminatedAt);
        return Session.newBuilder()
                .setSessionId(owner.sessionId()).setAccessKey("AKUSAGE")
                .setSpec(SessionSpec.newBuilder().setName("s-" + owner.sessionId()).setImage("python:3")
                        .setClusterSize(owner.clusterSize())
                        .setResources(Map.of("cpu", owner.cpuThousandths(), "mem", owner.memBytes()))
                        .setUserId(owner.userId()).setProject(owner.project()).setDomain(owner.domain()).build())
                .setStatus(status).setStatusHistory(history).setCreatedAt(Instant.ofEpochMilli(createdAt))
                .setTerminatedAt(terminatedAt == null ? null : Instant.ofEpochMilli(terminatedAt))
                .setKernels(kernels)
                .build();
    }

    static SessionEvent event(SessionEventKind kind, Session session, long at) {
        return new SessionEvent(session.getSessionId(), Instant.ofEpochMilli(at), kind, null, session);
    }

    private static KernelStatus kernelStatus(SessionStatus status) {
        return switch (status) {
            case RUNNING -> KernelStatus.RUNNING;
            case TERMINATED -> KernelStatus.TERMINATED;
            default -> KernelStatus.PENDING;
        };
    }

    /** A sample builder with every counter at zero; tests set what they count. */
    static KernelStats.Builder stats(Owner owner, int kernel, long seq, long at) {
        return KernelStats.newBuilder()
                .setKernelId(owner.kernel(kernel)).setSessionId(owner.sessionId()).setAgentId("agent-1")
                .setAt(Instant.ofEpochMilli(at)).setSeq(seq)
                .setCpuUsedMs(0).setCpuPercent(50.0).setMemBytes(0).setMemPeakBytes(0)
                .setIoReadBytes(0).setIoWriteBytes(0).setNetRxBytes(0).setNetTxBytes(0)
                .setAccelerators(Map.of());
    }
}
