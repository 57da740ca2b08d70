package dev.berth.agent;

import dev.berth.agent.KernelSupervisor.LiveKernel;
import dev.berth.agent.runtime.KernelSpec;
import dev.berth.agent.runtime.Usage;
import dev.berth.common.Json;
import dev.berth.common.RedisLink;
import dev.berth.schema.avro.KernelStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Samples what the kernels use and what they print. Every interval each live kernel's counters go
 * to {@code kernel.stats} and, as the latest value, to Redis; the main kernel's output tail goes to
 * Redis when it changed, and once more when the kernel ends. Redis is optional: without it only
 * the topic is written.
 *
 * <p>Redis layout, read by the API (keys expire a day after the last write):
 * {@code berth:kernel-stats:<sessionId>} is a hash kernel id → JSON of the latest sample;
 * {@code berth:session-logs:<sessionId>} is the main kernel's last {@link #OUTPUT_BYTES} bytes of output.
 */
final class KernelReports {

    static final String STATS_KEY = "berth:kernel-stats:";
    static final String LOGS_KEY = "berth:session-logs:";
    static final int OUTPUT_BYTES = 64 * 1024;
    private static final Duration TTL = Duration.ofDays(1);

    /** No reports at all: for simulated agents, which have nothing to sample. */
    static final KernelReports NONE = new KernelReports(null, null, null);

    private final String agentId;
    private final Outbox outbox;
    private final RedisLink redis;
    private final Map<String, Previous> previous = new ConcurrentHashMap<>();
    private final Map<String, Integer> lastOutput = new ConcurrentHashMap<>();

    private record Previous(Usage usage, long nanos, long seq) {}

    KernelReports(String agentId, Outbox outbox, RedisLink redis) {
        this.agentId = agentId;
        this.outbox = outbox;
        this.redis = redis;
    }

    /** One round over the live kernels; runs on the agent's housekeeping thread. */
    void sample(List<LiveKernel> kernels) {
        if (outbox == null) return;
        List<List<String>> commands = new ArrayList<>();
        for (LiveKernel kernel : kernels) {
            KernelSpec spec = kernel.spec();
            Optional<Usage> usage = kernel.handle().usage();
            if (usage.isPresent()) {
                KernelStats stats = stats(spec, usage.get(), System.nanoTime());
                outbox.kernelStats(stats);
                commands.add(List.of("HSET", STATS_KEY + spec.sessionId(), spec.kernelId(), json(stats)));
                commands.add(List.of("EXPIRE", STATS_KEY + spec.sessionId(), Long.toString(TTL.toSeconds())));
            }
            if (spec.isMain()) output(kernel, commands);
        }
        write(commands);
    }

    /** The last word of a kernel: its final output, so that a batch session's result can be read. */
    void ended(LiveKernel kernel) {
        previous.remove(kernel.spec().kernelId());
        if (outbox == null) return;
        List<List<String>> commands = new ArrayList<>();
        if (kernel.spec().isMain()) output(kernel, commands);
        write(commands);
        lastOutput.remove(kernel.spec().kernelId());
    }

    private KernelStats stats(KernelSpec spec, Usage usage, long nanos) {
        Previous before = previous.get(spec.kernelId());
        double cpuPercent = before == null ? 0 : percent(usage.cpuNanos() - before.usage().cpuNanos(), nanos - before.nanos());
        // seq continues from the wall clock so that samples after an agent restart still count as new
        long seq = Math.max(before == null ? 0 : before.seq() + 1, System.currentTimeMillis());
        previous.put(spec.kernelId(), new Previous(usage, nanos, seq));
        return KernelStats.newBuilder()
                .setKernelId(spec.kernelId())
                .setSessionId(spec.sessionId())
                .setAgentId(agentId)
                .setAt(Instant.now())
                .setSeq(seq)
                .setCpuUsedMs(usage.cpuNanos() / 1_000_000)
                .setCpuPercent(cpuPercent)
                .setMemBytes(usage.memBytes())
                .setMemPeakBytes(usage.memPeakBytes())
                .setNetRxBytes(usage.netRxBytes())
                .setNetTxBytes(usage.netTxBytes())
                .setIoReadBytes(usage.ioReadBytes())
                .setIoWriteBytes(usage.ioWriteBytes())
                .build();
    }

    /** CPU time over wall time, 100 = one core busy; 0 for an empty interval. */
    static double percent(long cpuNanos, long wallNanos) {
        if (wallNanos <= 0 || cpuNanos < 0) return 0;
        return Math.round(cpuNanos * 10000.0 / wallNanos) / 100.0;
    }

    private void output(LiveKernel kernel, List<List<String>> commands) {
        if (redis == null) return;
        String text = kernel.handle().output(OUTPUT_BYTES);
        Integer before = lastOutput.put(kernel.spec().kernelId(), text.hashCode());
        if (before != null && before == text.hashCode()) return;
        commands.add(List.of("SET", LOGS_KEY + kernel.spec().sessionId(), text, "EX", Long.toString(TTL.toSeconds())));
    }

    private void write(List<List<String>> commands) {
        if (redis != null && !commands.isEmpty()) redis.run(commands);
    }

    static String json(KernelStats stats) {
        return "{\"kernelId\":" + Json.quote(stats.getKernelId())
                + ",\"agentId\":" + Json.quote(stats.getAgentId())
                + ",\"at\":" + Json.quote(stats.getAt().toString())
                + ",\"seq\":" + stats.getSeq()
                + ",\"cpuUsedMs\":" + stats.getCpuUsedMs()
                + ",\"cpuPercent\":" + stats.getCpuPercent()
                + ",\"memBytes\":" + stats.getMemBytes()
                + ",\"memPeakBytes\":" + stats.getMemPeakBytes()
                + ",\"netRxBytes\":" + stats.getNetRxBytes()
                + ",\"netTxBytes\":" + stats.getNetTxBytes()
                + ",\"ioReadBytes\":" + stats.getIoReadBytes()
                + ",\"ioWriteBytes\":" + stats.getIoWriteBytes() + "}";
    }
}
