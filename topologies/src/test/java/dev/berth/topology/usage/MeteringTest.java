package dev.berth.topology.usage;

import static dev.berth.topology.usage.UsageFixtures.GIB;
import static dev.berth.topology.usage.UsageFixtures.MIB;
import static dev.berth.topology.usage.UsageFixtures.session;
import static dev.berth.topology.usage.UsageFixtures.stats;
import static dev.berth.topology.usage.UsageFixtures.utc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.schema.avro.KernelStats;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.schema.avro.UsageMeter;
import dev.berth.schema.avro.UsageOwnerKind;
import dev.berth.schema.avro.UsagePeriod;
import dev.berth.schema.avro.UsageRecord;
import dev.berth.topology.usage.UsageFixtures.Owner;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Metering: usage arithmetic of one session's meter, without Kafka (SPEC USG, AMB-03)")
class MeteringTest {

    /** 1.5 cores and 1 GiB per kernel, one kernel. */
    private static final Owner ALICE = new Owner("sess-a", "alice", "vision", "lab", 1500, GIB, 1);
    /** 1 core and 2 GiB per kernel, two kernels. */
    private static final Owner BOB = new Owner("sess-b", "bob", "audio", "lab", 1000, 2 * GIB, 2);

    private static final long CREATED = utc("2026-11-25T10:29:00Z");
    private static final long RUNNING = utc("2026-11-25T10:30:00Z");
    private static final String H10 = "2026-11-25T10:00:00Z";
    private static final String H11 = "2026-11-25T11:00:00Z";
    private static final String DAY = "2026-11-25T00:00:00Z";
    private static final List<String> ALICE_OWNERS = List.of("session:sess-a", "user:alice", "project:vision", "domain:lab");

    // ---- helpers -------------------------------------------------------------------------------

    /** The meter of a session seen PENDING at {@code CREATED} and RUNNING from {@code runningAt}. */
    private static UsageMeter running(Owner owner, long runningAt) {
        Metering.Counted pending = Metering.changed(null, session(owner, SessionStatus.PENDING, CREATED, null, null), CREATED);
        assertEquals(List.of(), pending.deltas(), "a pending session has used nothing");
        Metering.Counted started = Metering.changed(pending.state(), session(owner, SessionStatus.RUNNING, CREATED, runningAt, null), runningAt);
        assertEquals(List.of(), started.deltas(), "starting adds nothing until a sample or the end");
        return started.state();
    }

    private static Metering.Counted ended(UsageMeter meter, Owner owner, SessionStatus status, long runningAt, long terminatedAt) {
        return Metering.changed(meter, session(owner, status, CREATED, runningAt, terminatedAt), terminatedAt);
    }

    private static Metering.Counted counted(Metering.Outcome outcome) {
        return assertInstanceOf(Metering.Counted.class, outcome, () -> "expected the sample to be counted, was " + outcome);
    }

    private static Metering.Rejected rejected(Metering.Outcome outcome) {
        return assertInstanceOf(Metering.Rejected.class, outcome, () -> "expected the sample to be rejected, was " + outcome);
    }

    /** Deltas summed per "PERIOD|ownerKind:owner|windowStart", independently of Metering.add. */
    private static Map<String, Sum> sums(List<UsageRecord> deltas) {
        Map<String, Sum> sums = new TreeMap<>();
        for (UsageRecord delta : deltas) {
            String key = delta.getPeriod() + "|" + delta.getOwnerKind().name().toLowerCase() + ":" + delta.getOwner() + "|" + delta.getWindowStart();
            sums.computeIfAbsent(key, k -> new Sum()).add(delta);
        }
        return sums;
    }

    private static Sum sum(List<UsageRecord> deltas, UsagePeriod period, String owner, String windowStart) {
        return sums(deltas).getOrDefault(period + "|" + owner + "|" + windowStart, new Sum());
    }

    private static final class Sum {
        double cpu;
        double mem;
        double cpuUsed;
        long memPeak;
        long ioRead;
        long ioWrite;
        long netRx;
        long netTx;
        long samples;
        final Set<String> slots = new java.util.TreeSet<>();

        void add(UsageRecord delta) {
            cpu += delta.getAllocatedSlotSeconds().getOrDefault("cpu", 0.0);
            mem += delta.getAllocatedSlotSeconds().getOrDefault("mem", 0.0);
            slots.addAll(delta.getAllocatedSlotSeconds().keySet());
            cpuUsed += delta.getCpuUsedSeconds();
            memPeak = Math.max(memPeak, delta.getMemPeakBytes());
            ioRead += delta.getIoReadBytes();
            ioWrite += delta.getIoWriteBytes();
            netRx += delta.getNetRxBytes();
            netTx += delta.getNetTxBytes();
            samples += delta.getSamples();
        }
    }

    private static void assertAllocated(double cpuCoreSeconds, double memByteSeconds, Sum sum, String what) {
        assertEquals(cpuCoreSeconds, sum.cpu, 1e-9, what + ": cpu core-seconds");
        assertEquals(memByteSeconds, sum.mem, 1e-3, what + ": mem byte-seconds");
    }

    // ---- allocation ----------------------------------------------------------------------------

    @Nested
    @DisplayName("allocation, from RUNNING to the end, per kernel")
    class Allocation {

        @Test
        @DisplayName("USG: RUNNING 10:30, first sample 10:45: 1.5 cores x 900 s = 1350 core-s and 1 GiB x 900 s, to each owner, hour and day")
        void toFirstSample() {
            UsageMeter meter = running(ALICE, RUNNING);
            List<UsageRecord> deltas = counted(Metering.sample(meter, stats(ALICE, 0, 1, utc("2026-11-25T10:45:00Z")).build())).deltas();
            for (String owner : ALICE_OWNERS) {
                assertAllocated(1350.0, 966_367_641_600.0, sum(deltas, UsagePeriod.HOURLY, owner, H10), owner + " hour 10");
                assertAllocated(1350.0, 966_367_641_600.0, sum(deltas, UsagePeriod.DAILY, owner, DAY), owner + " day");
            }
            // exactly the four owners in one hour and one day, nothing else
            assertEquals(Set.of(
                    "HOURLY|session:sess-a|" + H10, "HOURLY|user:alice|" + H10, "HOURLY|project:vision|" + H10, "HOURLY|domain:lab|" + H10,
                    "DAILY|session:sess-a|" + DAY, "DAILY|user:alice|" + DAY, "DAILY|project:vision|" + DAY, "DAILY|domain:lab|" + DAY),
                    sums(deltas).keySet());
            for (UsageRecord delta : deltas) {
                assertEquals("lab", delta.getDomain(), "every owner's record names the session's domain");
                long length = delta.getPeriod() == UsagePeriod.HOURLY ? 3_600_000L : 86_400_000L;
                assertEquals(length, delta.getWindowEnd().toEpochMilli() - delta.getWindowStart().toEpochMilli());
            }
        }

        @Test
        @DisplayName("USG: samples at 10:45 and 11:15: the second adds 900 s to hour 10 and 900 s to hour 11, 1800 s to the day")
        void acrossAnHour() {
            UsageMeter meter = running(ALICE, RUNNING);
            meter = counted(Metering.sample(meter, stats(ALICE, 0, 1, utc("2026-11-25T10:45:00Z")).build())).state();
            List<UsageRecord> deltas = counted(Metering.sample(meter, stats(ALICE, 0, 2, utc("2026-11-25T11:15:00Z")).build())).deltas();
            for (String owner : ALICE_OWNERS) {
                assertAllocated(1350.0, 966_367_641_600.0, sum(deltas, UsagePeriod.HOURLY, owner, H10), owner + " hour 10");
                assertAllocated(1350.0, 966_367_641_600.0, sum(deltas, UsagePeriod.HOURLY, owner, H11), owner + " hour 11");
                assertAllocated(2700.0, 1_932_735_283_200.0, sum(deltas, UsagePeriod.DAILY, owner, DAY), owner + " day");
            }
        }

        @Test
        @DisplayName("AMB-03: the end counts from the last sample to terminatedAt (not the event time): 10:45 to 11:30")
        void lastSampleToEnd() {
            UsageMeter meter = running(ALICE, RUNNING);
            meter = counted(Metering.sample(meter, stats(ALICE, 0, 1, utc("2026-11-25T10:45:00Z")).build())).state();
            long terminated = utc("2026-11-25T11:30:00Z");
            Metering.Counted end = Metering.changed(meter, session(ALICE, SessionStatus.TERMINATED, CREATED, RUNNING, terminated),
                    utc("2026-11-25T11:31:00Z"));
            assertEquals(terminated, end.state().getEndedAt());
            assertAllocated(1350.0, 966_367_641_600.0, sum(end.deltas(), UsagePeriod.HOURLY, "session:sess-a", H10), "hour 10");
            assertAllocated(2700.0, 1_932_735_283_200.0, sum(end.deltas(), UsagePeriod.HOURLY, "session:sess-a", H11), "hour 11");
            assertAllocated(4050.0, 2_899_102_924_800.0, sum(end.deltas(), UsagePeriod.DAILY, "project:vision", DAY), "day");
            assertEquals(0, sum(end.deltas(), UsagePeriod.DAILY, "session:sess-a", DAY).samples, "the end is not a sample");
        }

        @Test
        @DisplayName("AMB-03: a session never sampled is charged RUNNING to end; without terminatedAt the event time is the end")
        void neverSampled() {
            UsageMeter meter = running(ALICE, RUNNING);
            long eventAt = utc("2026-11-25T11:30:00Z");
            Session session = session(ALICE, SessionStatus.TERMINATED, CREATED, RUNNING, null);
            Metering.Counted end = Metering.changed(meter, session, eventAt);
            assertEquals(eventAt, end.state().getEndedAt());
            assertAllocated(2700.0, 1_932_735_283_200.0, sum(end.deltas(), UsagePeriod.HOURLY, "user:alice", H10), "hour 10");
            assertAllocated(2700.0, 1_932_735_283_200.0, sum(end.deltas(), UsagePeriod.HOURLY, "user:alice", H11), "hour 11");
            assertAllocated(5400.0, 3_865_470_566_400.0, sum(end.deltas(), UsagePeriod.DAILY, "domain:lab", DAY), "day");
        }

        @Test
        @DisplayName("AMB-03: before RUNNING nothing is allocated, but what a sample used is counted")
        void beforeRunning() {
            UsageMeter pending = Metering.changed(null, session(ALICE, SessionStatus.PENDING, CREATED, null, null), CREATED).state();
            assertNull(pending.getRunningSince());
            List<UsageRecord> deltas = counted(Metering.sample(pending,
                    stats(ALICE, 0, 1, utc("2026-11-25T10:29:30Z")).setCpuUsedMs(2_000).build())).deltas();
            Sum hour = sum(deltas, UsagePeriod.HOURLY, "session:sess-a", H10);
            assertEquals(Set.of(), hour.slots, "no allocation before RUNNING");
            assertEquals(2.0, hour.cpuUsed, 1e-9);
            assertEquals(1, hour.samples);
        }

        @Test
        @DisplayName("a session cancelled before it ran ends with nothing allocated")
        void cancelledBeforeRunning() {
            UsageMeter pending = Metering.changed(null, session(ALICE, SessionStatus.PENDING, CREATED, null, null), CREATED).state();
            long at = utc("2026-11-25T10:40:00Z");
            Metering.Counted end = Metering.changed(pending, session(ALICE, SessionStatus.CANCELLED, CREATED, null, at), at);
            assertEquals(List.of(), end.deltas());
            assertEquals(at, end.state().getEndedAt());
        }

        @Test
        @DisplayName("ERROR ends a session like TERMINATED; a second end event adds nothing")
        void endedOnce() {
            UsageMeter meter = running(ALICE, RUNNING);
            long at = utc("2026-11-25T10:50:00Z");
            Metering.Counted end = ended(meter, ALICE, SessionStatus.ERROR, RUNNING, at);
            assertAllocated(1800.0, 1_288_490_188_800.0, sum(end.deltas(), UsagePeriod.HOURLY, "session:sess-a", H10), "hour 10");
            Metering.Counted again = Metering.changed(end.state(), session(ALICE, SessionStatus.TERMINATED, CREATED, RUNNING, at + 60_000), at + 60_000);
            assertEquals(List.of(), again.deltas(), "the end is counted once");
            assertEquals(at, again.state().getEndedAt(), "the first end stays the end");
        }

        @Test
        @DisplayName("RUNNING events after the first keep the allocation start")
        void runningSinceKept() {
            UsageMeter meter = running(ALICE, RUNNING);
            UsageMeter later = Metering.changed(meter, session(ALICE, SessionStatus.RUNNING, CREATED, utc("2026-11-25T10:40:00Z"), null),
                    utc("2026-11-25T10:40:00Z")).state();
            assertEquals(RUNNING, later.getRunningSince());
        }

        @Test
        @DisplayName("slot units: cpu and accelerator shares in thousandths become cores and devices; *.mem stays bytes; zero slots are left out")
        void slotUnits() {
            Session pending = session(ALICE, SessionStatus.PENDING, CREATED, null, null);
            Session runningSession = session(ALICE, SessionStatus.RUNNING, CREATED, RUNNING, null);
            Map<String, Long> resources = Map.of("cpu", 1500L, "mem", GIB, "cuda.shares", 2500L, "cuda.mem", 4 * GIB, "tpu.device", 0L);
            pending.getSpec().setResources(resources);
            runningSession.getSpec().setResources(resources);
            UsageMeter meter = Metering.changed(Metering.changed(null, pending, CREATED).state(), runningSession, RUNNING).state();
            List<UsageRecord> deltas = Metering.changed(meter, session(ALICE, SessionStatus.TERMINATED, CREATED, RUNNING,
                    utc("2026-11-25T10:31:40Z")), utc("2026-11-25T10:31:40Z")).deltas();
            UsageRecord record = deltas.stream()
                    .filter(d -> d.getPeriod() == UsagePeriod.HOURLY && d.getOwnerKind() == UsageOwnerKind.SESSION).findFirst().orElseThrow();
            // 100 s held
            assertEquals(Map.of("cpu", 150.0, "mem", 107_374_182_400.0, "cuda.shares", 250.0, "cuda.mem", 429_496_729_600.0),
                    record.getAllocatedSlotSeconds());
        }
    }

    // ---- what was used -------------------------------------------------------------------------

    @Nested
    @DisplayName("what a kernel used: differences of cumulative counters, in the later sample's window")
    class Used {

        private final KernelStats first = stats(ALICE, 0, 1, utc("2026-11-25T10:45:00Z"))
                .setCpuUsedMs(120_000).setIoReadBytes(1_000).setIoWriteBytes(2_000).setNetRxBytes(3_000).setNetTxBytes(4_000)
                .setMemBytes(300 * MIB).setMemPeakBytes(400 * MIB).build();
        private final KernelStats second = stats(ALICE, 0, 2, utc("2026-11-25T11:15:00Z"))
                .setCpuUsedMs(300_500).setIoReadBytes(1_500).setIoWriteBytes(2_000).setNetRxBytes(10_000).setNetTxBytes(4_001)
                .setMemBytes(500 * MIB).setMemPeakBytes(450 * MIB).build();

        @Test
        @DisplayName("USG: the first sample counts its counters from zero")
        void firstSample() {
            List<UsageRecord> deltas = counted(Metering.sample(running(ALICE, RUNNING), first)).deltas();
            for (String owner : ALICE_OWNERS) {
                Sum hour = sum(deltas, UsagePeriod.HOURLY, owner, H10);
                assertEquals(120.0, hour.cpuUsed, 1e-9, owner);
                assertEquals(1_000, hour.ioRead, owner);
                assertEquals(2_000, hour.ioWrite, owner);
                assertEquals(3_000, hour.netRx, owner);
                assertEquals(4_000, hour.netTx, owner);
                assertEquals(400 * MIB, hour.memPeak, owner);
                assertEquals(1, hour.samples, owner);
            }
        }

        @Test
        @DisplayName("USG: cpu seconds, io and net of the second sample are its counters minus the first's, all in hour 11")
        void secondSample() {
            UsageMeter meter = counted(Metering.sample(running(ALICE, RUNNING), first)).state();
            List<UsageRecord> deltas = counted(Metering.sample(meter, second)).deltas();
            Sum h10 = sum(deltas, UsagePeriod.HOURLY, "project:vision", H10);
            assertEquals(0.0, h10.cpuUsed, "use falls into the later sample's hour only");
            assertEquals(0, h10.samples);
            Sum h11 = sum(deltas, UsagePeriod.HOURLY, "project:vision", H11);
            assertEquals(180.5, h11.cpuUsed, 1e-9);
            assertEquals(500, h11.ioRead);
            assertEquals(0, h11.ioWrite);
            assertEquals(7_000, h11.netRx);
            assertEquals(1, h11.netTx);
            assertEquals(500 * MIB, h11.memPeak, "the peak is the larger of memPeakBytes and memBytes");
            assertEquals(1, h11.samples);
        }

        @Test
        @DisplayName("USG: memPeak is a maximum, not a sum: the day of both samples peaks at 500 MiB, cpu adds to 300.5 s")
        void dayOfBoth() {
            UsageMeter meter = running(ALICE, RUNNING);
            Metering.Counted one = counted(Metering.sample(meter, first));
            Metering.Counted two = counted(Metering.sample(one.state(), second));
            List<UsageRecord> all = new ArrayList<>(one.deltas());
            all.addAll(two.deltas());
            UsageRecord day = all.stream().filter(d -> d.getPeriod() == UsagePeriod.DAILY && d.getOwnerKind() == UsageOwnerKind.USER)
                    .reduce(null, Metering::add, (a, b) -> b);
            assertEquals(300.5, day.getCpuUsedSeconds(), 1e-9);
            assertEquals(500 * MIB, day.getMemPeakBytes());
            assertEquals(1_500, day.getIoReadBytes());
            assertEquals(2_000, day.getIoWriteBytes());
            assertEquals(10_000, day.getNetRxBytes());
            assertEquals(4_001, day.getNetTxBytes());
            assertEquals(2, day.getSamples());
            assertEquals(4050.0, day.getAllocatedSlotSeconds().get("cpu"), 1e-9, "10:30 to 11:15 is 2700 s at 1.5 cores");
            assertEquals(utc("2026-11-25T11:15:00Z"), day.getUpdatedAt().toEpochMilli());
        }

        @Test
        @DisplayName("the meter remembers the last counted sample per kernel")
        void mark() {
            UsageMeter meter = counted(Metering.sample(running(ALICE, RUNNING), first)).state();
            var mark = meter.getKernels().get(ALICE.kernel(0));
            assertEquals(1, mark.getSeq());
            assertEquals(utc("2026-11-25T10:45:00Z"), mark.getAt());
            assertEquals(120_000, mark.getCpuUsedMs());
            assertEquals(4_000, mark.getNetTxBytes());
        }
    }

    // ---- rejected samples ----------------------------------------------------------------------

    @Nested
    @DisplayName("samples that are not counted")
    class Rejections {

        private UsageMeter afterTwo() {
            UsageMeter meter = running(ALICE, RUNNING);
            meter = counted(Metering.sample(meter, stats(ALICE, 0, 1, utc("2026-11-25T10:45:00Z")).setCpuUsedMs(60_000).build())).state();
            return counted(Metering.sample(meter, stats(ALICE, 0, 2, utc("2026-11-25T11:15:00Z")).setCpuUsedMs(150_000)
                    .setNetRxBytes(5_000).build())).state();
        }

        @Test
        @DisplayName("USG: a repeated seq is DUPLICATE, even with other values; an older seq is OUT_OF_ORDER; neither moves the meter")
        void duplicateAndOutOfOrder() {
            UsageMeter meter = afterTwo();
            Metering.Rejected duplicate = rejected(Metering.sample(meter, stats(ALICE, 0, 2, utc("2026-11-25T11:15:00Z")).setCpuUsedMs(150_000).build()));
            assertEquals(Metering.Reason.DUPLICATE, duplicate.reason());
            assertEquals("duplicate-sample", duplicate.reason().wire);
            assertEquals(Metering.Reason.DUPLICATE, rejected(Metering.sample(meter,
                    stats(ALICE, 0, 2, utc("2026-11-25T11:20:00Z")).setCpuUsedMs(999_000).build())).reason());
            Metering.Rejected late = rejected(Metering.sample(meter, stats(ALICE, 0, 1, utc("2026-11-25T10:45:00Z")).setCpuUsedMs(60_000).build()));
            assertEquals(Metering.Reason.OUT_OF_ORDER, late.reason());
            assertEquals("out-of-order-sample", late.reason().wire);

            // the next sample still counts against seq 2: 10 s of cpu, 11:15 to 11:45 of allocation
            List<UsageRecord> deltas = counted(Metering.sample(meter, stats(ALICE, 0, 3, utc("2026-11-25T11:45:00Z"))
                    .setCpuUsedMs(160_000).setNetRxBytes(5_000).build())).deltas();
            Sum h11 = sum(deltas, UsagePeriod.HOURLY, "session:sess-a", H11);
            assertEquals(10.0, h11.cpuUsed, 1e-9);
            assertEquals(0, h11.netRx);
            assertEquals(2700.0, h11.cpu, 1e-9);
        }

        @Test
        @DisplayName("USG: NaN, infinite or negative values are INVALID_VALUES (negative-or-nan)")
        void invalidValues() {
            UsageMeter meter = afterTwo();
            long at = utc("2026-11-25T11:30:00Z");
            Map<String, KernelStats> bad = new TreeMap<>(Map.of(
                    "NaN cpuPercent", stats(ALICE, 0, 3, at).setCpuPercent(Double.NaN).build(),
                    "infinite cpuPercent", stats(ALICE, 0, 3, at).setCpuPercent(Double.POSITIVE_INFINITY).build(),
                    "negative cpuPercent", stats(ALICE, 0, 3, at).setCpuPercent(-1.0).build(),
                    "negative memBytes", stats(ALICE, 0, 3, at).setMemBytes(-1).build(),
                    "negative memPeakBytes", stats(ALICE, 0, 3, at).setMemPeakBytes(-5).build(),
                    "negative cpuUsedMs", stats(ALICE, 0, 3, at).setCpuUsedMs(-1).build(),
                    "negative netTxBytes", stats(ALICE, 0, 3, at).setNetTxBytes(-1).build(),
                    "negative seq", stats(ALICE, 0, -3, at).build(),
                    "NaN accelerator", stats(ALICE, 0, 3, at).setAccelerators(Map.of("cuda.shares", Double.NaN)).build(),
                    "negative accelerator", stats(ALICE, 0, 3, at).setAccelerators(Map.of("cuda.shares", -0.5)).build()));
            bad.forEach((what, sample) -> {
                Metering.Rejected rejected = rejected(Metering.sample(meter, sample));
                assertEquals(Metering.Reason.INVALID_VALUES, rejected.reason(), what);
                assertEquals("negative-or-nan", rejected.reason().wire, what);
            });
            // and the meter still takes the good seq 3
            assertEquals(3, counted(Metering.sample(meter, stats(ALICE, 0, 3, at).setCpuUsedMs(150_000).setNetRxBytes(5_000).build()))
                    .state().getKernels().get(ALICE.kernel(0)).getSeq());
        }

        @Test
        @DisplayName("USG: a sample of a session never seen is UNKNOWN_SESSION (unknown-session)")
        void unknownSession() {
            Metering.Rejected rejected = rejected(Metering.sample(null, stats(ALICE, 0, 1, utc("2026-11-25T10:45:00Z")).build()));
            assertEquals(Metering.Reason.UNKNOWN_SESSION, rejected.reason());
            assertEquals("unknown-session", rejected.reason().wire);
            assertTrue(rejected.detail().contains("sess-a"), rejected.detail());
        }

        @Test
        @DisplayName("USG: a cumulative counter below its last value is COUNTER_DECREASED; memBytes may go down")
        void counterDecreased() {
            UsageMeter meter = running(ALICE, RUNNING);
            long at = utc("2026-11-25T10:40:00Z");
            meter = counted(Metering.sample(meter, stats(ALICE, 0, 1, at).setCpuUsedMs(10_000).setIoReadBytes(10).setIoWriteBytes(10)
                    .setNetRxBytes(10).setNetTxBytes(10).setMemBytes(GIB).build())).state();
            UsageMeter last = meter;
            KernelStats.Builder same = stats(ALICE, 0, 2, at + 60_000).setCpuUsedMs(10_000).setIoReadBytes(10).setIoWriteBytes(10)
                    .setNetRxBytes(10).setNetTxBytes(10);
            Map<String, KernelStats> lower = new TreeMap<>(Map.of(
                    "cpuUsedMs", KernelStats.newBuilder(same.build()).setCpuUsedMs(9_999).build(),
                    "ioReadBytes", KernelStats.newBuilder(same.build()).setIoReadBytes(9).build(),
                    "ioWriteBytes", KernelStats.newBuilder(same.build()).setIoWriteBytes(9).build(),
                    "netRxBytes", KernelStats.newBuilder(same.build()).setNetRxBytes(9).build(),
                    "netTxBytes", KernelStats.newBuilder(same.build()).setNetTxBytes(9).build()));
            lower.forEach((counter, sample) -> {
                Metering.Rejected rejected = rejected(Metering.sample(last, sample));
                assertEquals(Metering.Reason.COUNTER_DECREASED, rejected.reason(), counter);
                assertEquals("counter-decreased", rejected.reason().wire, counter);
            });
            Metering.Counted memDown = counted(Metering.sample(last, KernelStats.newBuilder(same.build()).setMemBytes(MIB).build()));
            assertEquals(2, memDown.state().getKernels().get(ALICE.kernel(0)).getSeq());
        }

        @Test
        @DisplayName("a rejected sample leaves the meter as it was")
        void meterUntouched() {
            UsageMeter meter = afterTwo();
            UsageMeter copy = UsageMeter.newBuilder(meter).build();
            rejected(Metering.sample(meter, stats(ALICE, 0, 2, utc("2026-11-25T11:15:00Z")).build()));
            rejected(Metering.sample(meter, stats(ALICE, 0, 3, utc("2026-11-25T11:15:00Z")).setCpuPercent(Double.NaN).build()));
            assertEquals(copy, meter);
        }
    }

    // ---- kernels and owners --------------------------------------------------------------------

    @Nested
    @DisplayName("kernels and owners")
    class KernelsAndOwners {

        private final long bobRunning = utc("2026-11-25T11:00:00Z");
        private final long bobEnd = utc("2026-11-25T11:20:00Z");

        @Test
        @DisplayName("USG: a cluster of 2 kernels, 1 core and 2 GiB each, 11:00 to 11:20: 2 x 1200 = 2400 core-s")
        void clusterNeverSampled() {
            UsageMeter meter = running(BOB, bobRunning);
            List<UsageRecord> deltas = ended(meter, BOB, SessionStatus.TERMINATED, bobRunning, bobEnd).deltas();
            for (String owner : List.of("session:sess-b", "user:bob", "project:audio", "domain:lab")) {
                assertAllocated(2400.0, 5_153_960_755_200.0, sum(deltas, UsagePeriod.HOURLY, owner, H11), owner + " hour 11");
                assertAllocated(2400.0, 5_153_960_755_200.0, sum(deltas, UsagePeriod.DAILY, owner, DAY), owner + " day");
            }
        }

        @Test
        @DisplayName("USG: each kernel is charged from its own last sample; the sum is still 2400 core-s")
        void clusterOneKernelSampled() {
            UsageMeter meter = running(BOB, bobRunning);
            Metering.Counted sample = counted(Metering.sample(meter, stats(BOB, 0, 1, utc("2026-11-25T11:10:00Z")).build()));
            assertAllocated(600.0, 1_288_490_188_800.0, sum(sample.deltas(), UsagePeriod.HOURLY, "session:sess-b", H11), "kernel 0 to 11:10");
            Metering.Counted end = ended(sample.state(), BOB, SessionStatus.TERMINATED, bobRunning, bobEnd);
            assertAllocated(1800.0, 3_865_470_566_400.0, sum(end.deltas(), UsagePeriod.HOURLY, "session:sess-b", H11),
                    "kernel 0 11:10-11:20 and kernel 1 11:00-11:20");
        }

        @Test
        @DisplayName("a session without a user counts towards itself, its project and domain only")
        void noUser() {
            Owner anonymous = new Owner("sess-c", "", "vision", "lab", 1000, GIB, 1);
            UsageMeter meter = running(anonymous, RUNNING);
            List<UsageRecord> deltas = counted(Metering.sample(meter, stats(anonymous, 0, 1, utc("2026-11-25T10:31:00Z")).build())).deltas();
            assertEquals(Set.of(UsageOwnerKind.SESSION, UsageOwnerKind.PROJECT, UsageOwnerKind.DOMAIN),
                    deltas.stream().map(UsageRecord::getOwnerKind).collect(Collectors.toSet()));
        }
    }

    // ---- after the end -------------------------------------------------------------------------

    @Nested
    @DisplayName("samples after the end")
    class AfterEnd {

        private final long end = utc("2026-11-25T11:30:00Z");

        @Test
        @DisplayName("AMB-03: a late sample of a sampled kernel adds what it used but no allocation already charged at the end")
        void sampledKernel() {
            UsageMeter meter = running(ALICE, RUNNING);
            meter = counted(Metering.sample(meter, stats(ALICE, 0, 1, utc("2026-11-25T10:45:00Z")).setCpuUsedMs(1_000).build())).state();
            meter = ended(meter, ALICE, SessionStatus.TERMINATED, RUNNING, end).state();
            for (long at : List.of(utc("2026-11-25T11:25:00Z"), utc("2026-11-25T11:35:00Z"))) {
                List<UsageRecord> deltas = counted(Metering.sample(meter, stats(ALICE, 0, 2, at).setCpuUsedMs(4_000).build())).deltas();
                Sum day = sum(deltas, UsagePeriod.DAILY, "session:sess-a", DAY);
                assertEquals(Set.of(), day.slots, "sample at " + Instant.ofEpochMilli(at) + ": allocation was charged at the end");
                assertEquals(3.0, day.cpuUsed, 1e-9);
            }
        }

        @Test
        @DisplayName("AMB-03: a late first sample of a kernel never sampled before the end charges no allocation again")
        void unsampledKernel() {
            UsageMeter meter = ended(running(ALICE, RUNNING), ALICE, SessionStatus.TERMINATED, RUNNING, end).state();
            List<UsageRecord> deltas = counted(Metering.sample(meter, stats(ALICE, 0, 1, utc("2026-11-25T11:25:00Z")).setCpuUsedMs(5_000).build())).deltas();
            Sum day = sum(deltas, UsagePeriod.DAILY, "session:sess-a", DAY);
            assertEquals(Set.of(), day.slots, "10:30 to 11:30 was charged at the end already");
            assertEquals(5.0, day.cpuUsed, 1e-9);
            assertEquals(1, day.samples);
        }
    }

    // ---- sums and keys -------------------------------------------------------------------------

    @Nested
    @DisplayName("sums and keys")
    class SumsAndKeys {

        private UsageRecord record(double cpu, double cpuUsed, long memPeak, long io, long samples, String updatedAt) {
            return UsageRecord.newBuilder()
                    .setOwnerKind(UsageOwnerKind.PROJECT).setOwner("vision").setDomain("lab").setPeriod(UsagePeriod.HOURLY)
                    .setWindowStart(Instant.parse(H10)).setWindowEnd(Instant.parse(H11))
                    .setAllocatedSlotSeconds(new java.util.HashMap<>(Map.of("cpu", cpu)))
                    .setCpuUsedSeconds(cpuUsed).setMemPeakBytes(memPeak)
                    .setIoReadBytes(io).setIoWriteBytes(2 * io).setNetRxBytes(3 * io).setNetTxBytes(4 * io)
                    .setSamples(samples).setUpdatedAt(Instant.parse(updatedAt)).build();
        }

        @Test
        @DisplayName("add sums slot-seconds and counters, keeps the larger memPeak and the later updatedAt")
        void add() {
            UsageRecord a = record(100.0, 1.5, 700, 10, 1, "2026-11-25T10:45:00Z");
            UsageRecord b = record(50.0, 2.0, 300, 5, 1, "2026-11-25T10:40:00Z");
            UsageRecord b2 = UsageRecord.newBuilder(b).setAllocatedSlotSeconds(Map.of("cpu", 50.0, "mem", 8.0)).build();
            UsageRecord sum = Metering.add(Metering.add(null, a), b2);
            assertEquals(Map.of("cpu", 150.0, "mem", 8.0), sum.getAllocatedSlotSeconds());
            assertEquals(3.5, sum.getCpuUsedSeconds(), 1e-12);
            assertEquals(700, sum.getMemPeakBytes());
            assertEquals(15, sum.getIoReadBytes());
            assertEquals(30, sum.getIoWriteBytes());
            assertEquals(45, sum.getNetRxBytes());
            assertEquals(60, sum.getNetTxBytes());
            assertEquals(2, sum.getSamples());
            assertEquals(Instant.parse("2026-11-25T10:45:00Z"), sum.getUpdatedAt());
            assertEquals(Map.of("cpu", 100.0), a.getAllocatedSlotSeconds(), "the total added to is not changed");
        }

        @Test
        @DisplayName("add of nothing and a delta is a copy of the delta")
        void addToNothing() {
            UsageRecord a = record(100.0, 1.5, 700, 10, 1, "2026-11-25T10:45:00Z");
            UsageRecord copy = Metering.add(null, a);
            assertEquals(a, copy);
            copy.getAllocatedSlotSeconds().put("cpu", 1.0);
            assertEquals(Map.of("cpu", 100.0), a.getAllocatedSlotSeconds());
        }

        @Test
        @DisplayName("USG: the topics' key is <ownerkind>:<owner>; totals are kept per period, owner and window")
        void keys() {
            UsageRecord project = record(1.0, 0, 0, 0, 0, H10);
            assertEquals("project:vision", Metering.ownerKey(project));
            assertEquals("session:sess-a", Metering.ownerKey(UsageRecord.newBuilder(project).setOwnerKind(UsageOwnerKind.SESSION).setOwner("sess-a").build()));
            assertEquals("user:alice", Metering.ownerKey(UsageRecord.newBuilder(project).setOwnerKind(UsageOwnerKind.USER).setOwner("alice").build()));
            assertEquals("domain:lab", Metering.ownerKey(UsageRecord.newBuilder(project).setOwnerKind(UsageOwnerKind.DOMAIN).setOwner("lab").build()));
            assertEquals("HOURLY|project:vision|" + Instant.parse(H10).toEpochMilli(), Metering.totalKey(project));
            UsageRecord daily = UsageRecord.newBuilder(project).setPeriod(UsagePeriod.DAILY).build();
            assertTrue(!Metering.totalKey(daily).equals(Metering.totalKey(project)), "hour and day totals are apart");
        }
    }

    @Test
    @DisplayName("a session event builds the meter from the spec's owners and resources")
    void freshMeter() {
        UsageMeter meter = running(ALICE, RUNNING);
        assertEquals("sess-a", meter.getSessionId());
        assertEquals("alice", meter.getUserId());
        assertEquals("vision", meter.getProject());
        assertEquals("lab", meter.getDomain());
        assertEquals(Map.of("cpu", 1500L, "mem", GIB), meter.getResources());
        assertEquals(RUNNING, meter.getRunningSince());
        assertNull(meter.getEndedAt());
    }
}
