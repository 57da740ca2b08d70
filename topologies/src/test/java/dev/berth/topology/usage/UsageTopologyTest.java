package dev.berth.topology.usage;

import static dev.berth.topology.usage.UsageFixtures.GIB;
import static dev.berth.topology.usage.UsageFixtures.MIB;
import static dev.berth.topology.usage.UsageFixtures.session;
import static dev.berth.topology.usage.UsageFixtures.stats;
import static dev.berth.topology.usage.UsageFixtures.utc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.schema.BerthSerdes;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.KernelStats;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.schema.avro.UsagePeriod;
import dev.berth.schema.avro.UsageRecord;
import dev.berth.topology.Fixtures;
import dev.berth.topology.usage.UsageFixtures.Owner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Usage topology: hourly and daily totals per owner on usage.hourly / usage.daily (SPEC USG)")
class UsageTopologyTest {

    /** 2 cores and 1 GiB, one kernel; RUNNING 10:30, samples 10:45 and 11:15, TERMINATED 11:30. */
    private static final Owner ALICE = new Owner("sess-a", "alice", "vision", "lab", 2000, GIB, 1);
    /** 1 core and 2 GiB per kernel, two kernels; RUNNING 11:00, one sample of kernel 1 at 11:10, TERMINATED 11:20. */
    private static final Owner BOB = new Owner("sess-b", "bob", "audio", "lab", 1000, 2 * GIB, 2);

    private static final long T0 = utc("2026-11-25T10:00:00Z");
    private static final String H10 = "2026-11-25T10:00:00Z";
    private static final String H11 = "2026-11-25T11:00:00Z";
    private static final String DAY = "2026-11-25T00:00:00Z";

    @TempDir
    Path stateDir;

    /** The totals a usage record carries, comparable as a whole. */
    record Totals(double cpuCoreSeconds, double memByteSeconds, double cpuUsedSeconds, long memPeakBytes,
                  long ioReadBytes, long ioWriteBytes, long netRxBytes, long netTxBytes, long samples) {

        static Totals of(UsageRecord record) {
            return new Totals(record.getAllocatedSlotSeconds().getOrDefault("cpu", 0.0), record.getAllocatedSlotSeconds().getOrDefault("mem", 0.0),
                    record.getCpuUsedSeconds(), record.getMemPeakBytes(), record.getIoReadBytes(), record.getIoWriteBytes(),
                    record.getNetRxBytes(), record.getNetTxBytes(), record.getSamples());
        }
    }

    // ---- hand-computed totals of the scripted workload -------------------------------------------------
    // Alice: 2 cores x 1800 s in each hour = 3600 core-s; 1 GiB x 1800 s = 1 932 735 283 200 byte-s.
    //   sample 10:45: cpu 900 s used, peak 600 MiB, io 1000/2000, net 3000/4000      -> hour 10
    //   sample 11:15: cpu 2100 s cumulative (+1200), peak 800 MiB, io 4000/2500, net 10000/4000 -> hour 11
    private static final Totals ALICE_H10 = new Totals(3600.0, 1_932_735_283_200.0, 900.0, 629_145_600, 1000, 2000, 3000, 4000, 1);
    private static final Totals ALICE_H11 = new Totals(3600.0, 1_932_735_283_200.0, 1200.0, 838_860_800, 3000, 500, 7000, 0, 1);
    private static final Totals ALICE_DAY = new Totals(7200.0, 3_865_470_566_400.0, 2100.0, 838_860_800, 4000, 2500, 10000, 4000, 2);
    // Bob: 2 kernels x 1 core x 1200 s = 2400 core-s; 2 x 2 GiB x 1200 s = 5 153 960 755 200 byte-s; one sample: 60 s, peak 300 MiB.
    private static final Totals BOB_H11 = new Totals(2400.0, 5_153_960_755_200.0, 60.0, 314_572_800, 0, 0, 0, 0, 1);
    // Domain lab: both sessions.
    private static final Totals LAB_H11 = new Totals(6000.0, 7_086_696_038_400.0, 1260.0, 838_860_800, 3000, 500, 7000, 0, 2);
    private static final Totals LAB_DAY = new Totals(9600.0, 9_019_431_321_600.0, 2160.0, 838_860_800, 4000, 2500, 10000, 4000, 3);

    private static final Map<String, Totals> HOURLY = Map.ofEntries(
            Map.entry("session:sess-a@" + H10, ALICE_H10), Map.entry("session:sess-a@" + H11, ALICE_H11),
            Map.entry("user:alice@" + H10, ALICE_H10), Map.entry("user:alice@" + H11, ALICE_H11),
            Map.entry("project:vision@" + H10, ALICE_H10), Map.entry("project:vision@" + H11, ALICE_H11),
            Map.entry("session:sess-b@" + H11, BOB_H11), Map.entry("user:bob@" + H11, BOB_H11), Map.entry("project:audio@" + H11, BOB_H11),
            Map.entry("domain:lab@" + H10, ALICE_H10), Map.entry("domain:lab@" + H11, LAB_H11));

    private static final Map<String, Totals> DAILY = Map.of(
            "session:sess-a@" + DAY, ALICE_DAY, "user:alice@" + DAY, ALICE_DAY, "project:vision@" + DAY, ALICE_DAY,
            "session:sess-b@" + DAY, BOB_H11, "user:bob@" + DAY, BOB_H11, "project:audio@" + DAY, BOB_H11,
            "domain:lab@" + DAY, LAB_DAY);

    // ---- harness -------------------------------------------------------------------------------

    /** The usage topology alone in a TopologyTestDriver; the last record per key and window is kept, as a compacted reader would. */
    private final class Usage implements AutoCloseable {
        final Topics topics = Topics.withPrefix("", 1);
        final Map<Metering.Reason, Integer> rejected = new EnumMap<>(Metering.Reason.class);
        final TopologyTestDriver driver;
        final TestInputTopic<String, SessionEvent> events;
        final TestInputTopic<String, KernelStats> stats;
        final TestOutputTopic<String, UsageRecord> hourly;
        final TestOutputTopic<String, UsageRecord> daily;
        final TestOutputTopic<String, KernelStats> deadLetters;
        final Map<String, UsageRecord> lastHourly = new TreeMap<>();
        final Map<String, UsageRecord> lastDaily = new TreeMap<>();

        Usage() {
            driver = new TopologyTestDriver(UsageTopology.build(topics, reason -> rejected.merge(reason, 1, Integer::sum)),
                    Fixtures.driverProps("usage", stateDir, topics), Instant.ofEpochMilli(T0));
            var key = new StringSerializer();
            events = driver.createInputTopic(topics.sessionEvents.name(), key, BerthSerdes.SESSION_EVENT);
            stats = driver.createInputTopic(topics.kernelStats.name(), key, BerthSerdes.KERNEL_STATS);
            hourly = driver.createOutputTopic(topics.usageHourly.name(), BerthSerdes.KEY.deserializer(), BerthSerdes.USAGE_RECORD);
            daily = driver.createOutputTopic(topics.usageDaily.name(), BerthSerdes.KEY.deserializer(), BerthSerdes.USAGE_RECORD);
            deadLetters = driver.createOutputTopic(topics.deadLetters.name(), BerthSerdes.KEY.deserializer(), BerthSerdes.KERNEL_STATS);
        }

        void event(Owner owner, SessionEventKind kind, SessionStatus status, long createdAt, Long runningAt, Long terminatedAt, long at) {
            events.pipeInput(owner.sessionId(), UsageFixtures.event(kind, session(owner, status, createdAt, runningAt, terminatedAt), at), at);
        }

        void pending(Owner owner, long createdAt) {
            event(owner, SessionEventKind.ENQUEUED, SessionStatus.PENDING, createdAt, null, null, createdAt);
        }

        void running(Owner owner, long createdAt, long runningAt) {
            event(owner, SessionEventKind.STARTED, SessionStatus.RUNNING, createdAt, runningAt, null, runningAt);
        }

        void terminated(Owner owner, long createdAt, long runningAt, long terminatedAt) {
            event(owner, SessionEventKind.TERMINATED, SessionStatus.TERMINATED, createdAt, runningAt, terminatedAt, terminatedAt);
        }

        void sample(KernelStats sample) {
            stats.pipeInput(sample.getSessionId(), sample, sample.getAt().toEpochMilli());
        }

        /** Reads what the topology wrote since the last call; checks each record's key and period against its value. */
        void drain() {
            keep(hourly.readRecordsToList(), UsagePeriod.HOURLY, lastHourly);
            keep(daily.readRecordsToList(), UsagePeriod.DAILY, lastDaily);
        }

        private void keep(List<TestRecord<String, UsageRecord>> records, UsagePeriod period, Map<String, UsageRecord> last) {
            for (var record : records) {
                UsageRecord value = record.value();
                assertEquals(period, value.getPeriod(), "a " + value.getPeriod() + " record on the " + period + " topic");
                assertEquals(value.getOwnerKind().name().toLowerCase() + ":" + value.getOwner(), record.key(), "keyed <ownerkind>:<owner>");
                long length = period == UsagePeriod.HOURLY ? 3_600_000L : 86_400_000L;
                assertEquals(length, value.getWindowEnd().toEpochMilli() - value.getWindowStart().toEpochMilli());
                assertEquals("lab", value.getDomain());
                last.put(record.key() + "@" + value.getWindowStart(), value);
            }
        }

        Map<String, Totals> hourlyTotals() {
            drain();
            Map<String, Totals> totals = new TreeMap<>();
            lastHourly.forEach((key, record) -> totals.put(key, Totals.of(record)));
            return totals;
        }

        Map<String, Totals> dailyTotals() {
            drain();
            Map<String, Totals> totals = new TreeMap<>();
            lastDaily.forEach((key, record) -> totals.put(key, Totals.of(record)));
            return totals;
        }

        @Override
        public void close() {
            driver.close();
        }
    }

    // ---- the scripted workload -----------------------------------------------------------------

    private static final long A_CREATED = utc("2026-11-25T10:29:00Z");
    private static final long A_RUNNING = utc("2026-11-25T10:30:00Z");
    private static final long A_END = utc("2026-11-25T11:30:00Z");
    private static final long B_CREATED = utc("2026-11-25T10:58:00Z");
    private static final long B_RUNNING = utc("2026-11-25T11:00:00Z");
    private static final long B_END = utc("2026-11-25T11:20:00Z");

    private static KernelStats aliceFirst() {
        return stats(ALICE, 0, 1, utc("2026-11-25T10:45:00Z")).setCpuUsedMs(900_000).setMemBytes(512 * MIB).setMemPeakBytes(600 * MIB)
                .setIoReadBytes(1000).setIoWriteBytes(2000).setNetRxBytes(3000).setNetTxBytes(4000).build();
    }

    private static KernelStats aliceSecond() {
        return stats(ALICE, 0, 2, utc("2026-11-25T11:15:00Z")).setCpuUsedMs(2_100_000).setMemBytes(700 * MIB).setMemPeakBytes(800 * MIB)
                .setIoReadBytes(4000).setIoWriteBytes(2500).setNetRxBytes(10000).setNetTxBytes(4000).build();
    }

    private static KernelStats bobKernel1() {
        return stats(BOB, 1, 1, utc("2026-11-25T11:10:00Z")).setCpuUsedMs(60_000).setMemBytes(200 * MIB).setMemPeakBytes(300 * MIB).build();
    }

    /** The workload in stream-time order; {@code between} runs after Alice's second sample, before the ends. */
    private static void workload(Usage usage, Runnable between) {
        usage.pending(ALICE, A_CREATED);
        usage.running(ALICE, A_CREATED, A_RUNNING);
        usage.sample(aliceFirst());
        usage.pending(BOB, B_CREATED);
        usage.running(BOB, B_CREATED, B_RUNNING);
        usage.sample(bobKernel1());
        usage.sample(aliceSecond());
        between.run();
        usage.terminated(BOB, B_CREATED, B_RUNNING, B_END);
        usage.terminated(ALICE, A_CREATED, A_RUNNING, A_END);
    }

    private static String error(TestRecord<String, KernelStats> deadLetter) {
        Header header = deadLetter.headers().lastHeader(UsageProcessor.HEADER_ERROR);
        assertNotNull(header, "a dead letter names its reason in " + UsageProcessor.HEADER_ERROR);
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String header(TestRecord<String, KernelStats> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    // ---- tests ---------------------------------------------------------------------------------

    @Test
    @DisplayName("USG: the scripted workload's hourly and daily totals equal the hand-computed ones, per session, user, project and domain")
    void scriptedWorkload() {
        try (var usage = new Usage()) {
            workload(usage, () -> { });
            assertEquals(HOURLY, usage.hourlyTotals());
            assertEquals(DAILY, usage.dailyTotals());
            assertEquals(List.of(), usage.deadLetters.readRecordsToList());
            assertEquals(Map.of(), usage.rejected);
            // the last change of a window is its end, or its last sample
            assertEquals(Instant.ofEpochMilli(A_END), usage.lastHourly.get("session:sess-a@" + H11).getUpdatedAt());
            assertEquals(Instant.ofEpochMilli(A_END), usage.lastDaily.get("domain:lab@" + DAY).getUpdatedAt());
        }
    }

    @Test
    @DisplayName("USG: the last record per key and window carries the totals so far, growing as samples and the end arrive")
    void totalsSoFar() {
        try (var usage = new Usage()) {
            usage.pending(ALICE, A_CREATED);
            usage.running(ALICE, A_CREATED, A_RUNNING);
            assertEquals(Map.of(), usage.hourlyTotals(), "nothing is published before a sample or the end");

            usage.sample(aliceFirst());
            // 10:30 to 10:45 at 2 cores = 1800 core-s; 1 GiB x 900 s
            Totals afterFirst = new Totals(1800.0, 966_367_641_600.0, 900.0, 629_145_600, 1000, 2000, 3000, 4000, 1);
            assertEquals(afterFirst, usage.hourlyTotals().get("project:vision@" + H10));
            assertEquals(afterFirst, usage.dailyTotals().get("project:vision@" + DAY));

            usage.sample(aliceSecond());
            assertEquals(ALICE_H10, usage.hourlyTotals().get("project:vision@" + H10), "10:45 to 11:00 completes hour 10");
            assertEquals(new Totals(1800.0, 966_367_641_600.0, 1200.0, 838_860_800, 3000, 500, 7000, 0, 1),
                    usage.hourlyTotals().get("project:vision@" + H11));
            assertEquals(new Totals(5400.0, 2_899_102_924_800.0, 2100.0, 838_860_800, 4000, 2500, 10000, 4000, 2),
                    usage.dailyTotals().get("project:vision@" + DAY));

            usage.terminated(ALICE, A_CREATED, A_RUNNING, A_END);
            assertEquals(ALICE_H11, usage.hourlyTotals().get("project:vision@" + H11));
            assertEquals(ALICE_DAY, usage.dailyTotals().get("project:vision@" + DAY));
        }
    }

    @Test
    @DisplayName("USG: replayed samples (same seq) and a late sample (older seq) do not change the totals; they go to dead-letters")
    void duplicatesAndLateSamples() {
        try (var usage = new Usage()) {
            workload(usage, () -> {
                usage.sample(aliceSecond());          // duplicate
                usage.sample(aliceFirst());           // late: seq 1 after seq 2
                usage.sample(bobKernel1());           // duplicate of the other session
            });
            // after the ends, the same again and a replayed end
            usage.sample(aliceSecond());
            usage.sample(aliceFirst());
            usage.terminated(ALICE, A_CREATED, A_RUNNING, A_END);

            assertEquals(HOURLY, usage.hourlyTotals());
            assertEquals(DAILY, usage.dailyTotals());
            assertEquals(Map.of(Metering.Reason.DUPLICATE, 3, Metering.Reason.OUT_OF_ORDER, 2), usage.rejected);
            List<String> reasons = usage.deadLetters.readRecordsToList().stream()
                    .map(UsageTopologyTest::error).map(error -> error.substring(0, error.indexOf(':'))).toList();
            assertEquals(List.of("duplicate-sample", "out-of-order-sample", "duplicate-sample", "duplicate-sample", "out-of-order-sample"), reasons);
        }
    }

    @Test
    @DisplayName("AMB-03: a late first sample of a kernel whose session already ended charges no allocation twice")
    void lateFirstSampleAfterEnd() {
        try (var usage = new Usage()) {
            usage.pending(ALICE, A_CREATED);
            usage.running(ALICE, A_CREATED, A_RUNNING);
            usage.terminated(ALICE, A_CREATED, A_RUNNING, A_END);
            // the agent's 11:25 sample arrives after the end
            usage.sample(stats(ALICE, 0, 1, utc("2026-11-25T11:25:00Z")).setCpuUsedMs(5_000).build());
            Map<String, Totals> hourly = usage.hourlyTotals();
            assertEquals(new Totals(3600.0, 1_932_735_283_200.0, 0.0, 0, 0, 0, 0, 0, 0), hourly.get("session:sess-a@" + H10));
            assertEquals(new Totals(3600.0, 1_932_735_283_200.0, 5.0, 0, 0, 0, 0, 0, 1), hourly.get("session:sess-a@" + H11));
            assertEquals(new Totals(7200.0, 3_865_470_566_400.0, 5.0, 0, 0, 0, 0, 0, 1), usage.dailyTotals().get("user:alice@" + DAY));
        }
    }

    @Test
    @DisplayName("USG: NaN, negative and unknown-session samples go to dead-letters with berth.error, are counted, and later records still count")
    void badSamples() {
        KernelStats nan = stats(ALICE, 0, 3, utc("2026-11-25T11:16:00Z")).setCpuPercent(Double.NaN).setCpuUsedMs(9_999_999).build();
        KernelStats negative = stats(ALICE, 0, 3, utc("2026-11-25T11:17:00Z")).setCpuUsedMs(2_100_000).setMemBytes(-1).build();
        KernelStats ghost = KernelStats.newBuilder(stats(ALICE, 0, 1, utc("2026-11-25T11:18:00Z")).setCpuUsedMs(50_000).build())
                .setSessionId("ghost").build();
        try (var usage = new Usage()) {
            workload(usage, () -> {
                usage.sample(nan);
                usage.sample(negative);
                usage.stats.pipeInput("ghost", ghost, ghost.getAt().toEpochMilli());
            });

            // the good records before and after (Bob's end, Alice's end) are all counted
            assertEquals(HOURLY, usage.hourlyTotals());
            assertEquals(DAILY, usage.dailyTotals());
            assertTrue(usage.lastHourly.keySet().stream().noneMatch(key -> key.startsWith("session:ghost")), "nothing is metered for an unknown session");

            List<TestRecord<String, KernelStats>> dead = usage.deadLetters.readRecordsToList();
            assertEquals(3, dead.size());
            assertEquals(List.of("sess-a", "sess-a", "ghost"), dead.stream().map(TestRecord::key).toList());
            // the sample goes out as it came (compared as bytes: Avro's record equality has NaN unequal to itself)
            List<KernelStats> sent = List.of(nan, negative, ghost);
            for (int i = 0; i < sent.size(); i++) {
                assertEquals(HexFormat.of().formatHex(BerthSerdes.KERNEL_STATS.serialize("t", sent.get(i))),
                        HexFormat.of().formatHex(BerthSerdes.KERNEL_STATS.serialize("t", dead.get(i).value())), "dead letter " + i);
            }
            assertTrue(error(dead.get(0)).startsWith("negative-or-nan: "), error(dead.get(0)));
            assertTrue(error(dead.get(0)).contains("NaN"), error(dead.get(0)));
            assertTrue(error(dead.get(1)).startsWith("negative-or-nan: "), error(dead.get(1)));
            assertTrue(error(dead.get(2)).startsWith("unknown-session: "), error(dead.get(2)));
            for (var letter : dead) {
                assertEquals(usage.topics.kernelStats.name(), header(letter, UsageProcessor.HEADER_TOPIC));
                assertEquals("0", header(letter, UsageProcessor.HEADER_PARTITION));
                assertNotNull(header(letter, UsageProcessor.HEADER_OFFSET));
            }
            assertEquals(Map.of(Metering.Reason.INVALID_VALUES, 2, Metering.Reason.UNKNOWN_SESSION, 1), usage.rejected);
        }
    }

    @Test
    @DisplayName("USG: a sample after a rejected one is counted against the last good sample")
    void goodAfterBad() {
        try (var usage = new Usage()) {
            usage.pending(ALICE, A_CREATED);
            usage.running(ALICE, A_CREATED, A_RUNNING);
            usage.sample(aliceFirst());
            usage.sample(stats(ALICE, 0, 2, utc("2026-11-25T10:50:00Z")).setCpuUsedMs(-5).build());
            usage.sample(stats(ALICE, 0, 2, utc("2026-11-25T10:55:00Z")).setCpuUsedMs(960_000).setIoReadBytes(1000).setIoWriteBytes(2000)
                    .setNetRxBytes(3000).setNetTxBytes(4000).build());
            // 10:30 to 10:55 at 2 cores = 3000 core-s; 900 s + 60 s of cpu; 2 samples
            assertEquals(new Totals(3000.0, 1_610_612_736_000.0, 960.0, 629_145_600, 1000, 2000, 3000, 4000, 2),
                    usage.hourlyTotals().get("session:sess-a@" + H10));
            assertEquals(Map.of(Metering.Reason.INVALID_VALUES, 1), usage.rejected);
        }
    }

    @Test
    @DisplayName("USG: a session running 23:30 to 00:30 UTC is split between two days and two hours of different days")
    void acrossMidnight() {
        Owner night = new Owner("sess-n", "nora", "vision", "lab", 1000, GIB, 1);
        long created = utc("2026-11-25T23:29:00Z");
        long runningAt = utc("2026-11-25T23:30:00Z");
        try (var usage = new Usage()) {
            usage.pending(night, created);
            usage.running(night, created, runningAt);
            usage.terminated(night, created, runningAt, utc("2026-11-26T00:30:00Z"));
            // 1 core x 1800 s on each side of midnight; 1 GiB x 1800 s
            Totals half = new Totals(1800.0, 1_932_735_283_200.0, 0.0, 0, 0, 0, 0, 0, 0);
            assertEquals(Map.of("session:sess-n@2026-11-25T23:00:00Z", half, "session:sess-n@2026-11-26T00:00:00Z", half,
                            "user:nora@2026-11-25T23:00:00Z", half, "user:nora@2026-11-26T00:00:00Z", half,
                            "project:vision@2026-11-25T23:00:00Z", half, "project:vision@2026-11-26T00:00:00Z", half,
                            "domain:lab@2026-11-25T23:00:00Z", half, "domain:lab@2026-11-26T00:00:00Z", half),
                    usage.hourlyTotals());
            assertEquals(Map.of("session:sess-n@2026-11-25T00:00:00Z", half, "session:sess-n@2026-11-26T00:00:00Z", half,
                            "user:nora@2026-11-25T00:00:00Z", half, "user:nora@2026-11-26T00:00:00Z", half,
                            "project:vision@2026-11-25T00:00:00Z", half, "project:vision@2026-11-26T00:00:00Z", half,
                            "domain:lab@2026-11-25T00:00:00Z", half, "domain:lab@2026-11-26T00:00:00Z", half),
                    usage.dailyTotals());
        }
    }
}
