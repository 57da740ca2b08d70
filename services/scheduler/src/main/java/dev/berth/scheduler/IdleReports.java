package dev.berth.scheduler;

import dev.berth.common.Json;
import dev.berth.common.RedisLink;
import dev.berth.topology.idle.Checker;
import dev.berth.topology.idle.IdleReport;
import dev.berth.topology.idle.IdleReportSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The idle checks' reports in Redis (SPEC IDL-07): key {@code session.<id>.<checker>.report}, a
 * JSON object {@code {"deadline": epoch millis or null, "at": epoch millis, "remaining_time_type":
 * "expire_after"|"grace_period", "extra": null or {"thresholds_check_operator", "resources"}}}, so
 * that a reader counts the remaining time down from the deadline between two writes. Keys live
 * {@link #TTL}; the topology rewrites unchanged reports well before that.
 *
 * <p>Stream threads only queue; one thread writes, newest batch per session first come, so a slow
 * or absent Redis never holds up a stream thread.
 */
final class IdleReports implements IdleReportSink, AutoCloseable {

    static final Duration TTL = Duration.ofSeconds(150);
    private static final Duration FLUSH = Duration.ofMillis(100);

    private final RedisLink redis;
    private final MeterRegistry registry;
    private final Map<String, List<List<String>>> pending = new ConcurrentHashMap<>();
    private final Thread writer;
    private volatile boolean running = true;

    IdleReports(RedisLink redis, MeterRegistry registry) {
        this.redis = redis;
        this.registry = registry;
        this.writer = Thread.ofPlatform().name("berth-idle-reports").daemon(true).start(this::run);
    }

    static String key(String sessionId, Checker checker) {
        return "session." + sessionId + "." + checker.wire + ".report";
    }

    @Override
    public void write(String sessionId, List<IdleReport> reports) {
        List<List<String>> commands = new ArrayList<>();
        for (IdleReport report : reports) {
            commands.add(List.of("SET", key(sessionId, report.checker()), json(report), "EX", Long.toString(TTL.toSeconds())));
        }
        pending.put(sessionId, commands);
    }

    @Override
    public void clear(String sessionId) {
        List<List<String>> commands = new ArrayList<>();
        for (Checker checker : Checker.values()) commands.add(List.of("DEL", key(sessionId, checker)));
        pending.put(sessionId, commands);
    }

    @Override
    public void expired(String sessionId, Checker checker) {
        Counter.builder("berth.idle.terminations").tag("checker", checker.wire)
                .description("Sessions the idle checks asked to end").register(registry).increment();
    }

    static String json(IdleReport report) {
        StringBuilder out = new StringBuilder("{\"deadline\":").append(report.deadline())
                .append(",\"at\":").append(report.at())
                .append(",\"remaining_time_type\":").append(Json.quote(report.checker().remainingType.wire))
                .append(",\"extra\":");
        IdleReport.Utilization util = report.utilization();
        if (util == null) return out.append("null}").toString();
        out.append("{\"thresholds_check_operator\":").append(Json.quote(util.operator().wire())).append(",\"resources\":{");
        boolean first = true;
        for (var metric : util.resources().entrySet()) {
            if (!first) out.append(',');
            first = false;
            out.append(Json.quote(metric.getKey())).append(":[");
            for (int i = 0; i < metric.getValue().size(); i++) {
                if (i > 0) out.append(',');
                double value = metric.getValue().get(i);
                out.append(Double.isFinite(value) ? Double.toString(value) : "null");
            }
            out.append(']');
        }
        return out.append("}}}").toString();
    }

    private void run() {
        while (running) {
            try {
                Thread.sleep(FLUSH);
            } catch (InterruptedException e) {
                return;
            }
            flush();
        }
    }

    private void flush() {
        List<List<String>> batch = new ArrayList<>();
        for (String sessionId : List.copyOf(pending.keySet())) {
            List<List<String>> commands = pending.remove(sessionId);
            if (commands != null) batch.addAll(commands);
        }
        // best effort: a report lost to an outage is written again at the next refresh
        redis.run(batch);
    }

    @Override
    public void close() {
        running = false;
        writer.interrupt();
        try {
            writer.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
        redis.close();
    }
}
