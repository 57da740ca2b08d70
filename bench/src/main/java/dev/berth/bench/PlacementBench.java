package dev.berth.bench;

import dev.berth.common.BerthConfig;
import dev.berth.common.HealthRegistry;
import dev.berth.common.KafkaClients;
import dev.berth.kafka.EmbeddedKafka;
import dev.berth.scheduler.Scheduler;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.TopicBootstrapper;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.ClusterMode;
import dev.berth.schema.avro.CreateSession;
import dev.berth.schema.avro.SessionRequest;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionType;
import dev.berth.topology.placement.PlacementOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Submit → placement-command throughput and latency of the real scheduler (exactly-once) on the
 * embedded broker, against simulated agents, next to a raw produce→consume hop measured in the
 * same run. Every phase is bounded in count and time.
 *
 * <pre>./berth bench [agents,...] [sessions] [partitions] [dependents per 100]   e.g. ./berth bench 1000,10000 3000 4 5</pre>
 */
public final class PlacementBench {

    private static final Duration PHASE_LIMIT = Duration.ofSeconds(90);
    private static final Duration LATENCY_PHASE = Duration.ofSeconds(20);
    private static final Duration HOLD = Duration.ofSeconds(2);
    private static final int WARM_UP_SESSIONS = 3_000;
    private static final Map<String, Long> AGENT_CAPACITY = Map.of("cpu", 16_000L, "mem", 64L << 30);

    private final Map<String, Long> submitted = new ConcurrentHashMap<>();
    /** Sessions that wait for another to succeed first: counted as placed, left out of the latencies. */
    private final Set<String> dependents = ConcurrentHashMap.newKeySet();
    /** The last sessions submitted, for dependencies to point at. */
    private final List<String> recent = new ArrayList<>();
    private final AtomicInteger placed = new AtomicInteger();
    private final AtomicLong lastPlacedNanos = new AtomicLong();
    private volatile Latencies latencies = new Latencies();
    private final Random random = new Random(42);
    private final int dependentsPer100;

    private PlacementBench(int dependentsPer100) {
        this.dependentsPer100 = dependentsPer100;
    }

    public static void main(String[] args) throws Exception {
        int[] fleets = java.util.Arrays.stream((args.length > 0 ? args[0] : "1000").split(",")).mapToInt(Integer::parseInt).toArray();
        int sessions = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
        int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int dependentsPer100 = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary()) {
            System.out.println("bench: broker at " + kafka.bootstrapServers() + "; measuring the raw hop baseline ...");
            var raw = RawHopBaseline.run(kafka.bootstrapServers(), "bench-raw", 5_000, 2_000);
            System.out.printf("bench: raw produce→consume hop at 2000/s: p50 %.1f ms, p99 %.1f ms (%d records)%n", raw.p50Ms(), raw.p99Ms(), raw.records());
            for (int agents : fleets) new PlacementBench(dependentsPer100).run(kafka.bootstrapServers(), agents, sessions, partitions, raw);
        }
    }

    private void run(String bootstrap, int agents, int sessions, int partitions, RawHopBaseline.Result raw) throws Exception {
        Topics topics = Topics.withPrefix("bench-" + agents + ".", partitions);
        try (Admin admin = Admin.create(KafkaClients.admin(bootstrap))) {
            TopicBootstrapper.ensure(admin, topics, (short) 1);
        }
        var config = new BerthConfig(bootstrap, topics.prefix(), partitions, Files.createTempDirectory("berth-bench"));
        try (Scheduler scheduler = Scheduler.start(config, PlacementOptions.DEFAULTS, new SimpleMeterRegistry(), new HealthRegistry(Duration.ofSeconds(1)));
             SimulatedFleet fleet = new SimulatedFleet(bootstrap, topics, agents, AGENT_CAPACITY, HOLD, this::observed);
             var producer = new KafkaProducer<>(KafkaClients.producer(bootstrap, "bench-submit"), new StringSerializer(), BerthSerdes.SESSION_REQUEST)) {
            System.out.printf("bench: %d simulated agents, %d partitions per topic; warming up ...%n", agents, partitions);
            // Streams needs 20-40 s after start to reach full speed (rebalance, repartition topics, JIT)
            paced(producer, topics, WARM_UP_SESSIONS, 100, "warm-up");

            latencies = new Latencies();
            placed.set(0);
            long start = System.nanoTime();
            for (int i = 0; i < sessions; i++) submit(producer, topics);
            producer.flush();
            awaitPlaced(sessions, "saturation");
            double seconds = (lastPlacedNanos.get() - start) / 1e9;
            double rate = placed.get() / seconds;
            System.out.printf("bench: saturation: %d of %d sessions placed in %.1f s = %.0f placements/s%n", placed.get(), sessions, seconds, rate);

            int half = Math.max(1, (int) (rate / 2));
            latencies = new Latencies();
            placed.set(0);
            int count = (int) Math.min(half * LATENCY_PHASE.toSeconds(), 50_000);
            poisson(producer, topics, count, half);
            awaitPlaced(count, "latency");
            Latencies measured = latencies;
            System.out.printf("bench: at %d/s (half of saturation): submit→command p50 %.1f ms, p99 %.1f ms over %d sessions%n",
                    half, measured.percentileMs(50), measured.percentileMs(99), measured.count());
            System.out.printf("| %,d | %.0f | %d | %.1f | %.1f | %.1f | %.1f | %.1f× |%n", agents, rate, half,
                    measured.percentileMs(50), measured.percentileMs(99), raw.p50Ms(), raw.p99Ms(), measured.percentileMs(99) / raw.p99Ms());
        }
    }

    /** Called on the fleet's reader thread, the only writer of the latencies. */
    private void observed(String sessionId, long seenNanos) {
        Long at = submitted.remove(sessionId);
        if (at == null) return; // the second kernel of a multi-node session
        if (!dependents.remove(sessionId)) latencies.add(seenNanos - at);
        placed.incrementAndGet();
        lastPlacedNanos.set(seenNanos);
    }

    private void paced(KafkaProducer<String, SessionRequest> producer, Topics topics, int count, int perSecond, String phase) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            submit(producer, topics);
            Thread.sleep(1000 / perSecond); // pacing of offered load, not synchronisation
        }
        producer.flush();
        awaitPlaced(placed.get() + submitted.size(), phase);
    }

    /** Poisson arrivals: exponential gaps with the given mean rate. */
    private void poisson(KafkaProducer<String, SessionRequest> producer, Topics topics, int count, int perSecond) {
        long next = System.nanoTime();
        for (int i = 0; i < count; i++) {
            next += (long) (-Math.log(1 - random.nextDouble()) / perSecond * 1e9);
            while (System.nanoTime() < next) Thread.onSpinWait();
            submit(producer, topics);
        }
        producer.flush();
    }

    private void awaitPlaced(int target, String phase) throws InterruptedException {
        long deadline = System.nanoTime() + PHASE_LIMIT.toNanos();
        long nextReport = System.nanoTime() + 5_000_000_000L;
        while (placed.get() < target && System.nanoTime() < deadline) {
            Thread.sleep(20); // polling a counter with a deadline
            if (System.nanoTime() > nextReport) {
                System.out.printf("bench: %s: %d of %d placed%n", phase, placed.get(), target);
                nextReport += 5_000_000_000L;
            }
        }
    }

    /**
     * Mixed sizes: 1, 2 or 4 cpu with 1–8 GiB; one in ten is a multi-node cluster of 2 or 3; some (5 in
     * a hundred by default) depend on one of the last hundred sessions (all batch, ending with exit code 0).
     */
    private void submit(KafkaProducer<String, SessionRequest> producer, Topics topics) {
        String id = UUID.randomUUID().toString();
        boolean multi = random.nextInt(10) == 0;
        var spec = SessionSpec.newBuilder()
                .setName("bench-" + id.substring(0, 8))
                .setImage("sim")
                .setSessionType(SessionType.BATCH)
                .setClusterMode(multi ? ClusterMode.MULTI_NODE : ClusterMode.SINGLE_NODE)
                .setClusterSize(multi ? 2 + random.nextInt(2) : 1)
                .setResources(Map.of("cpu", 1000L << random.nextInt(3), "mem", (1L << 30) << random.nextInt(4)))
                .build();
        if (random.nextInt(100) < dependentsPer100 && !recent.isEmpty()) {
            spec.setDependencies(List.of(recent.get(random.nextInt(recent.size()))));
            dependents.add(id);
        }
        recent.add(id);
        if (recent.size() > 100) recent.removeFirst();
        var request = SessionRequest.newBuilder().setRequestId(id).setSessionId(id).setAt(Instant.now())
                .setAccessKey("AK" + random.nextInt(69)).setOp(new CreateSession(spec)).build();
        submitted.put(id, System.nanoTime());
        producer.send(new ProducerRecord<>(topics.sessionRequests.name(), id, request));
    }
}
