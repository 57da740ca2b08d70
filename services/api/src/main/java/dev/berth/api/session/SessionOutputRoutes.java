package dev.berth.api.session;

import dev.berth.api.auth.Access;
import dev.berth.api.auth.Principal;
import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.schema.avro.Session;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code GET /v1/sessions/{id}/logs}, {@code /stats} and {@code /idle-checks}: what the agents and
 * the idle checks keep in Redis about a session, read without reaching either. A log or stats read
 * is the user's activity on the session, which the idle checks count (SPEC IDL-09). The agent writes
 * {@code berth:session-logs:<sessionId>} (the main kernel's last 64 KiB of stdout and stderr,
 * refreshed every few seconds and once more when the kernel ends) and {@code berth:kernel-stats:<sessionId>}
 * (a hash kernel id → JSON of its latest sample); both expire a day after their last write. The idle
 * checks write {@code session.<id>.<checker>.report} (SPEC IDL-07) with the checker's deadline.
 */
public final class SessionOutputRoutes implements AutoCloseable {

    static final String LOGS_KEY = "berth:session-logs:";
    static final String STATS_KEY = "berth:kernel-stats:";
    static final int MAX_TAIL = 10_000;
    private static final String JSON = "application/json";

    /** The checkers in registration order (SPEC IDL-03), as their reports are named. */
    static final List<String> CHECKERS = List.of("network_timeout", "session_lifetime", "utilization");

    private final SessionView view;
    private final ActivityLog activity;
    private final Clock clock;
    private final Redis redis;
    private final RedisAPI api;

    public SessionOutputRoutes(Vertx vertx, String redisHost, int redisPort, SessionView view, ActivityLog activity, Clock clock) {
        this.view = view;
        this.activity = activity;
        this.clock = clock;
        this.redis = Redis.createClient(vertx, new RedisOptions().setConnectionString("redis://" + redisHost + ":" + redisPort));
        this.api = RedisAPI.api(redis);
    }

    /**
     * The main kernel's output, {@code {"sessionId", "logs", "lines"}}; {@code ?tail=N} keeps the
     * last N lines (1..10000). A session whose kernel has printed nothing yet has empty logs.
     */
    public void logs(RoutingContext ctx) {
        Session session = find(ctx);
        Integer tail = tail(ctx.queryParams().get("tail"));
        readLogs(session, Principal.of(ctx).accessKey()).onFailure(ctx::fail).onSuccess(text -> {
            List<String> lines = lines(text);
            if (tail != null && lines.size() > tail) lines = lines.subList(lines.size() - tail, lines.size());
            respond(ctx, new JsonObject()
                    .put("sessionId", session.getSessionId())
                    .put("logs", String.join("", lines))
                    .put("lines", lines.size()));
        });
    }

    /** The main kernel's output as the agent last kept it ("" before any); reading it is {@code reader}'s activity (IDL-09). */
    public Future<String> readLogs(Session session, String reader) {
        activity.record(session.getSessionId(), reader, "logs");
        return api.get(LOGS_KEY + session.getSessionId())
                .map(value -> value == null ? "" : value.toString())
                .recover(failed -> Future.failedFuture(unavailable(failed)));
    }

    /** The latest sample of each of the session's kernels, {@code {"sessionId", "kernels": [...]}} ordered by kernel id. */
    public void stats(RoutingContext ctx) {
        Session session = find(ctx);
        activity.record(session.getSessionId(), Principal.of(ctx).accessKey(), "stats");
        kernelStats(session).onFailure(ctx::fail)
                .onSuccess(kernels -> respond(ctx, new JsonObject().put("sessionId", session.getSessionId()).put("kernels", kernels)));
    }

    /** The latest sample of each kernel of {@code session}, ordered by kernel id; empty before any. */
    public Future<JsonArray> kernelStats(Session session) {
        return api.hgetall(STATS_KEY + session.getSessionId()).map(all -> {
            JsonArray kernels = new JsonArray();
            if (all != null) {
                all.getKeys().stream().sorted().forEach(kernelId -> kernels.add(new JsonObject(all.get(kernelId).toString())));
            }
            return kernels;
        }).recover(failed -> Future.failedFuture(unavailable(failed)));
    }

    /**
     * Each enabled checker's report (SPEC IDL-20): {@code {"sessionId", "idleChecks": {name:
     * {"remaining": seconds | -1 once expired | null when unlimited, "remaining_time_type", "extra"}}}},
     * the remaining time counted from the checker's deadline at the moment of the request. Reading
     * it is not an activity: looking at the countdown does not reset it.
     */
    public void idleChecks(RoutingContext ctx) {
        Session session = find(ctx);
        idleChecks(session).onFailure(ctx::fail)
                .onSuccess(checks -> respond(ctx, new JsonObject().put("sessionId", session.getSessionId()).put("idleChecks", checks)));
    }

    /** The reports of {@code session}'s checkers by name, as {@link #idleChecks(RoutingContext)} shows them. */
    public Future<JsonObject> idleChecks(Session session) {
        List<String> keys = CHECKERS.stream().map(checker -> "session." + session.getSessionId() + "." + checker + ".report").toList();
        return api.mget(keys).map(values -> {
            JsonObject checks = new JsonObject();
            for (int i = 0; i < CHECKERS.size(); i++) {
                Response value = values == null ? null : values.get(i);
                if (value != null) checks.put(CHECKERS.get(i), report(new JsonObject(value.toString()), clock.millis()));
            }
            return checks;
        }).recover(failed -> Future.failedFuture(unavailable(failed)));
    }

    /** The stored report as the API shows it at {@code now}. */
    static JsonObject report(JsonObject stored, long now) {
        Long deadline = stored.getLong("deadline");
        Double remaining = null;
        if (deadline != null) {
            double seconds = (deadline - now) / 1000.0;
            remaining = seconds <= 0 ? -1.0 : seconds;
        }
        return new JsonObject()
                .put("remaining", remaining)
                .put("remaining_time_type", stored.getString("remaining_time_type"))
                .put("extra", stored.getJsonObject("extra"));
    }

    @Override
    public void close() {
        redis.close();
    }

    static Integer tail(String text) {
        if (text == null) return null;
        try {
            int tail = Integer.parseInt(text.trim());
            if (tail >= 1 && tail <= MAX_TAIL) return tail;
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ProblemException.invalid("tail must be an integer from 1 to " + MAX_TAIL + ", got \"" + text + "\"");
    }

    /** Lines with their line ends, so that joining them gives the text back. */
    static List<String> lines(String text) {
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("(?<=\n)")));
        if (lines.size() == 1 && lines.getFirst().isEmpty()) lines.clear();
        return lines;
    }

    /** As for the session itself: another owner's session is as unknown as a missing one (AUTH-06). */
    private Session find(RoutingContext ctx) {
        String sessionId = RequestValidation.sessionId(ctx.pathParam("id"));
        Principal caller = Principal.of(ctx);
        return view.get(sessionId).filter(session -> Access.canActOn(caller, session)).orElseThrow(() ->
                new ProblemException(ProblemKind.SESSION_NOT_FOUND, "no session with id " + sessionId));
    }

    private static ProblemException unavailable(Throwable cause) {
        return new ProblemException(ProblemKind.SERVICE_UNAVAILABLE, "Redis did not answer: " + cause.getMessage(), cause);
    }

    private static void respond(RoutingContext ctx, JsonObject body) {
        ctx.response().setStatusCode(200).putHeader("Content-Type", JSON).end(body.encode());
    }
}
