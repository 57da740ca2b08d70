package dev.berth.topology.usage;

import dev.berth.schema.Slots;
import dev.berth.schema.avro.KernelMark;
import dev.berth.schema.avro.KernelStats;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.schema.avro.UsageMeter;
import dev.berth.schema.avro.UsageOwnerKind;
import dev.berth.schema.avro.UsagePeriod;
import dev.berth.schema.avro.UsageRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Usage arithmetic, pure. Allocation counts from the moment a session is RUNNING to its end (SPEC
 * AMB-03), per kernel, cut at hour and day boundaries; what a kernel used (cpu time, io, network)
 * is the difference of its cumulative counters between two samples and falls into the window of
 * the later sample. Each sample is counted once: one whose seq is not above its kernel's last
 * counted one changes nothing.
 */
public final class Metering {

    /** Why a stats sample was not counted; the name is the dead letter's reason. */
    public enum Reason {
        UNKNOWN_SESSION("unknown-session"),
        INVALID_VALUES("negative-or-nan"),
        DUPLICATE("duplicate-sample"),
        OUT_OF_ORDER("out-of-order-sample"),
        COUNTER_DECREASED("counter-decreased");

        public final String wire;

        Reason(String wire) {
            this.wire = wire;
        }
    }

    /** What a sample does: counted (the new state and the deltas it adds), or rejected. */
    public sealed interface Outcome permits Counted, Rejected { }

    public record Counted(UsageMeter state, List<UsageRecord> deltas) implements Outcome { }

    public record Rejected(Reason reason, String detail) implements Outcome { }

    private static final Set<SessionStatus> ENDED = Set.of(SessionStatus.TERMINATED, SessionStatus.CANCELLED, SessionStatus.ERROR);

    private Metering() {}

    /** The meter after a session event; on the session's end, the allocation since each kernel's last sample. */
    public static Counted changed(UsageMeter meter, Session session, long at) {
        UsageMeter next = meter == null ? fresh(session) : UsageMeter.newBuilder(meter).build();
        Long running = session.getStatusHistory().get(SessionStatus.RUNNING.name());
        if (next.getRunningSince() == null && running != null) next.setRunningSince(running);
        if (next.getEndedAt() != null || !ENDED.contains(session.getStatus())) return new Counted(next, List.of());

        long ended = session.getTerminatedAt() != null ? session.getTerminatedAt().toEpochMilli() : at;
        next.setEndedAt(ended);
        List<UsageRecord> deltas = new ArrayList<>();
        Map<String, KernelMark> kernels = new HashMap<>(next.getKernels());
        for (var kernel : session.getKernels()) {
            KernelMark mark = kernels.get(kernel.getKernelId());
            long from = mark == null ? start(next) : Math.max(mark.getAt(), start(next));
            if (next.getRunningSince() != null) deltas.addAll(allocation(next, from, ended));
            // later samples of this kernel must not count the time up to the end again; a kernel never sampled
            // gets a mark at the end too (seq -1, counters 0: its first sample still counts from zero)
            if (mark == null) kernels.put(kernel.getKernelId(), new KernelMark(-1L, ended, 0L, 0L, 0L, 0L, 0L));
            else if (mark.getAt() < ended) kernels.put(kernel.getKernelId(), KernelMark.newBuilder(mark).setAt(ended).build());
        }
        next.setKernels(kernels);
        return new Counted(next, deltas);
    }

    /** A stats sample against the session's meter (null when the session is unknown). */
    public static Outcome sample(UsageMeter meter, KernelStats stats) {
        if (meter == null) return new Rejected(Reason.UNKNOWN_SESSION, "no session " + stats.getSessionId() + " seen on session.events");
        String invalid = invalid(stats);
        if (invalid != null) return new Rejected(Reason.INVALID_VALUES, invalid);
        KernelMark last = meter.getKernels().get(stats.getKernelId());
        if (last != null && stats.getSeq() == last.getSeq()) return new Rejected(Reason.DUPLICATE, "seq " + stats.getSeq() + " already counted");
        if (last != null && stats.getSeq() < last.getSeq()) {
            return new Rejected(Reason.OUT_OF_ORDER, "seq " + stats.getSeq() + " after seq " + last.getSeq());
        }
        if (last != null && (stats.getCpuUsedMs() < last.getCpuUsedMs() || stats.getIoReadBytes() < last.getIoReadBytes()
                || stats.getIoWriteBytes() < last.getIoWriteBytes() || stats.getNetRxBytes() < last.getNetRxBytes()
                || stats.getNetTxBytes() < last.getNetTxBytes())) {
            return new Rejected(Reason.COUNTER_DECREASED, "a cumulative counter is below its value at seq " + last.getSeq());
        }
        long at = stats.getAt().toEpochMilli();
        long from = last == null ? start(meter) : Math.max(last.getAt(), start(meter));
        long to = meter.getEndedAt() == null ? at : Math.min(at, meter.getEndedAt());
        List<UsageRecord> deltas = new ArrayList<>();
        if (meter.getRunningSince() != null) deltas.addAll(allocation(meter, from, to));
        deltas.addAll(used(meter, stats, last, at));

        Map<String, KernelMark> kernels = new HashMap<>(meter.getKernels());
        kernels.put(stats.getKernelId(), new KernelMark(stats.getSeq(), Math.max(at, last == null ? at : last.getAt()),
                stats.getCpuUsedMs(), stats.getIoReadBytes(), stats.getIoWriteBytes(), stats.getNetRxBytes(), stats.getNetTxBytes()));
        return new Counted(UsageMeter.newBuilder(meter).setKernels(kernels).build(), deltas);
    }

    /** The sum of two records of the same owner and window. */
    public static UsageRecord add(UsageRecord total, UsageRecord delta) {
        if (total == null) return UsageRecord.newBuilder(delta).setAllocatedSlotSeconds(new HashMap<>(delta.getAllocatedSlotSeconds())).build();
        Map<String, Double> slots = new HashMap<>(total.getAllocatedSlotSeconds());
        delta.getAllocatedSlotSeconds().forEach((slot, value) -> slots.merge(slot, value, Double::sum));
        return UsageRecord.newBuilder(total)
                .setAllocatedSlotSeconds(slots)
                .setCpuUsedSeconds(total.getCpuUsedSeconds() + delta.getCpuUsedSeconds())
                .setMemPeakBytes(Math.max(total.getMemPeakBytes(), delta.getMemPeakBytes()))
                .setIoReadBytes(total.getIoReadBytes() + delta.getIoReadBytes())
                .setIoWriteBytes(total.getIoWriteBytes() + delta.getIoWriteBytes())
                .setNetRxBytes(total.getNetRxBytes() + delta.getNetRxBytes())
                .setNetTxBytes(total.getNetTxBytes() + delta.getNetTxBytes())
                .setSamples(total.getSamples() + delta.getSamples())
                .setUpdatedAt(total.getUpdatedAt().isAfter(delta.getUpdatedAt()) ? total.getUpdatedAt() : delta.getUpdatedAt())
                .build();
    }

    /** The key a record is summed under: one total per period, owner and window. */
    public static String totalKey(UsageRecord record) {
        return record.getPeriod() + "|" + ownerKey(record) + "|" + record.getWindowStart().toEpochMilli();
    }

    /** The key of the usage topics: {@code <ownerKind>:<owner>}, e.g. {@code project:vision}. */
    public static String ownerKey(UsageRecord record) {
        return record.getOwnerKind().name().toLowerCase(java.util.Locale.ROOT) + ":" + record.getOwner();
    }

    private static UsageMeter fresh(Session session) {
        var spec = session.getSpec();
        return UsageMeter.newBuilder()
                .setSessionId(session.getSessionId())
                .setUserId(spec.getUserId())
                .setProject(spec.getProject())
                .setDomain(spec.getDomain())
                .setResources(new HashMap<>(spec.getResources()))
                .setKernels(new HashMap<>())
                .build();
    }

    private static long start(UsageMeter meter) {
        return meter.getRunningSince() == null ? Long.MAX_VALUE : meter.getRunningSince();
    }

    private static String invalid(KernelStats stats) {
        if (Double.isNaN(stats.getCpuPercent()) || Double.isInfinite(stats.getCpuPercent()) || stats.getCpuPercent() < 0) return "cpuPercent " + stats.getCpuPercent();
        long[] counters = {stats.getCpuUsedMs(), stats.getMemBytes(), stats.getMemPeakBytes(), stats.getIoReadBytes(),
                stats.getIoWriteBytes(), stats.getNetRxBytes(), stats.getNetTxBytes(), stats.getSeq()};
        for (long counter : counters) if (counter < 0) return "a negative counter or seq";
        for (var entry : stats.getAccelerators().entrySet()) {
            if (entry.getValue() == null || entry.getValue().isNaN() || entry.getValue() < 0) return "accelerator " + entry.getKey() + " " + entry.getValue();
        }
        return null;
    }

    /** One kernel's allocation over {@code [from, to)}, per period, window and owner. */
    private static List<UsageRecord> allocation(UsageMeter meter, long from, long to) {
        List<UsageRecord> deltas = new ArrayList<>();
        if (to <= from) return deltas;
        for (UsagePeriod period : UsagePeriod.values()) {
            for (Windows.Slice slice : Windows.slices(period, from, to)) {
                double seconds = slice.millis() / 1000.0;
                Map<String, Double> slotSeconds = new HashMap<>();
                meter.getResources().forEach((slot, amount) -> {
                    if (amount > 0) slotSeconds.put(slot, (Slots.isBytes(slot) ? amount : amount / 1000.0) * seconds);
                });
                for (UsageRecord.Builder owner : owners(meter, period, slice.windowStart(), slice.windowEnd())) {
                    deltas.add(owner.setAllocatedSlotSeconds(slotSeconds).setUpdatedAt(Instant.ofEpochMilli(to)).build());
                }
            }
        }
        return deltas;
    }

    /** What the kernel used since its last sample, in the windows of the sample's time. */
    private static List<UsageRecord> used(UsageMeter meter, KernelStats stats, KernelMark last, long at) {
        List<UsageRecord> deltas = new ArrayList<>();
        for (UsagePeriod period : UsagePeriod.values()) {
            long start = Windows.startOf(period, at);
            for (UsageRecord.Builder owner : owners(meter, period, start, start + Windows.length(period))) {
                deltas.add(owner
                        .setAllocatedSlotSeconds(Map.of())
                        .setCpuUsedSeconds((stats.getCpuUsedMs() - (last == null ? 0 : last.getCpuUsedMs())) / 1000.0)
                        .setMemPeakBytes(Math.max(stats.getMemPeakBytes(), stats.getMemBytes()))
                        .setIoReadBytes(stats.getIoReadBytes() - (last == null ? 0 : last.getIoReadBytes()))
                        .setIoWriteBytes(stats.getIoWriteBytes() - (last == null ? 0 : last.getIoWriteBytes()))
                        .setNetRxBytes(stats.getNetRxBytes() - (last == null ? 0 : last.getNetRxBytes()))
                        .setNetTxBytes(stats.getNetTxBytes() - (last == null ? 0 : last.getNetTxBytes()))
                        .setSamples(1)
                        .setUpdatedAt(Instant.ofEpochMilli(at))
                        .build());
            }
        }
        return deltas;
    }

    /** Empty records of each owner the session counts towards: itself, its user (if any), project and domain. */
    private static List<UsageRecord.Builder> owners(UsageMeter meter, UsagePeriod period, long windowStart, long windowEnd) {
        List<UsageRecord.Builder> owners = new ArrayList<>();
        owners.add(empty(UsageOwnerKind.SESSION, meter.getSessionId(), meter, period, windowStart, windowEnd));
        if (!meter.getUserId().isEmpty()) owners.add(empty(UsageOwnerKind.USER, meter.getUserId(), meter, period, windowStart, windowEnd));
        owners.add(empty(UsageOwnerKind.PROJECT, meter.getProject(), meter, period, windowStart, windowEnd));
        owners.add(empty(UsageOwnerKind.DOMAIN, meter.getDomain(), meter, period, windowStart, windowEnd));
        return owners;
    }

    private static UsageRecord.Builder empty(UsageOwnerKind kind, String owner, UsageMeter meter, UsagePeriod period, long windowStart, long windowEnd) {
        return UsageRecord.newBuilder()
                .setOwnerKind(kind)
                .setOwner(owner)
                .setDomain(meter.getDomain())
                .setPeriod(period)
                .setWindowStart(Instant.ofEpochMilli(windowStart))
                .setWindowEnd(Instant.ofEpochMilli(windowEnd))
                .setAllocatedSlotSeconds(Map.of())
                .setUpdatedAt(Instant.ofEpochMilli(windowStart));
    }
}
