package dev.berth.api.usage;

import dev.berth.api.auth.Access;
import dev.berth.api.auth.Principal;
import dev.berth.api.session.SessionView;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /v1/usage?project=|user=|domain=|session=…&month=2026-11}: what an owner held and used
 * in a month, from the daily totals usage metering publishes and the usage projector keeps in
 * PostgreSQL ({@code usage_totals}): the month's sums and one entry per day with use.
 */
public final class UsageRoutes {

    private static final String DAYS = """
            SELECT window_start, allocated_slot_seconds, cpu_used_seconds, mem_peak_bytes, io_read_bytes, io_write_bytes,
                   net_rx_bytes, net_tx_bytes, samples
            FROM usage_totals
            WHERE period = 'daily' AND owner_kind = $1 AND owner = $2 AND window_start >= $3 AND window_start < $4
              AND ($5::text IS NULL OR domain_name = $5)
            ORDER BY window_start""";

    private final Pool pool;
    private final SessionView view;
    private final Clock clock;

    public UsageRoutes(Pool pool, SessionView view, Clock clock) {
        this.pool = pool;
        this.view = view;
        this.clock = clock;
    }

    public void usage(RoutingContext ctx) {
        Principal caller = Principal.of(ctx);
        UsageQuery query = UsageQuery.parse(ctx.queryParams(), caller,
                sessionId -> view.get(sessionId).filter(session -> Access.canActOn(caller, session)).isPresent(),
                YearMonth.now(clock.withZone(ZoneOffset.UTC)));
        pool.preparedQuery(DAYS)
                .execute(Tuple.of(query.ownerKind(), query.owner(), query.from().atOffset(ZoneOffset.UTC),
                        query.to().atOffset(ZoneOffset.UTC), query.domainOnly()))
                .map(rows -> {
                    Totals month = new Totals();
                    JsonArray days = new JsonArray();
                    for (Row row : rows) {
                        Totals day = new Totals().add(row);
                        month.add(row);
                        days.add(day.json().put("date", row.getOffsetDateTime("window_start").toLocalDate().toString()));
                    }
                    return new JsonObject()
                            .put(query.ownerKind(), query.owner())
                            .put("month", query.month().toString())
                            .put("from", query.from().toString())
                            .put("to", query.to().toString())
                            .put("totals", month.json())
                            .put("days", days);
                })
                .onSuccess(body -> ctx.response().putHeader("Content-Type", "application/json").end(body.encode()))
                .onFailure(ctx::fail);
    }

    /** Sums of daily rows; memory peaks take the highest. */
    private static final class Totals {
        private final Map<String, Double> slotSeconds = new TreeMap<>();
        private double cpuUsedSeconds;
        private long memPeakBytes;
        private long ioReadBytes;
        private long ioWriteBytes;
        private long netRxBytes;
        private long netTxBytes;
        private long samples;

        Totals add(Row row) {
            JsonObject slots = row.getJsonObject("allocated_slot_seconds");
            if (slots != null) slots.forEach(entry -> slotSeconds.merge(entry.getKey(), ((Number) entry.getValue()).doubleValue(), Double::sum));
            cpuUsedSeconds += row.getDouble("cpu_used_seconds");
            memPeakBytes = Math.max(memPeakBytes, row.getLong("mem_peak_bytes"));
            ioReadBytes += row.getLong("io_read_bytes");
            ioWriteBytes += row.getLong("io_write_bytes");
            netRxBytes += row.getLong("net_rx_bytes");
            netTxBytes += row.getLong("net_tx_bytes");
            samples += row.getLong("samples");
            return this;
        }

        JsonObject json() {
            JsonObject slots = new JsonObject();
            slotSeconds.forEach(slots::put);
            return new JsonObject()
                    .put("allocatedSlotSeconds", slots)
                    .put("cpuUsedSeconds", cpuUsedSeconds)
                    .put("memPeakBytes", memPeakBytes)
                    .put("ioReadBytes", ioReadBytes)
                    .put("ioWriteBytes", ioWriteBytes)
                    .put("netRxBytes", netRxBytes)
                    .put("netTxBytes", netTxBytes)
                    .put("samples", samples);
        }
    }
}
