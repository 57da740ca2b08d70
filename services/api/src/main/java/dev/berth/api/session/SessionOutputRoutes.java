package dev.berth.api.session;

import dev.berth.api.auth.Access;
import dev.berth.api.auth.Principal;
import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.schema.avro.Session;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code GET /v1/sessions/{id}/logs} and {@code GET /v1/sessions/{id}/stats}: what the agents keep
 * in Redis about a session's kernels, read without reaching any agent. The agent writes
 * {@code berth:session-logs:<sessionId>} (the main kernel's last 64 KiB of stdout and stderr,
 * refreshed every few seconds and once more when the kernel ends) and {@code berth:kernel-stats:<sessionId>}
 * (a hash kernel id → JSON of its latest sample); both expire a day after their last write.
 */
public final class SessionOutputRoutes implements AutoCloseable {

    static final String LOGS_KEY = "berth:session-logs:";
    static final String STATS_KEY = "berth:kernel-stats:";
    static final int MAX_TAIL = 10_000;
    private static final String JSON = "application/json";

    private final SessionView view;
    private final Redis redis;
    private final RedisAPI api;

    public SessionOutputRoutes(Vertx vertx, String redisHost, int redisPort, SessionView view) {
        this.view = view;
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
        api.get(LOGS_KEY + session.getSessionId()).onComplete(read -> {
            if (read.failed()) {
                ctx.fail(unavailable(read.cause()));
                return;
            }
            String text = read.result() == null ? "" : read.result().toString();
            List<String> lines = lines(text);
            if (tail != null && lines.size() > tail) lines = lines.subList(lines.size() - tail, lines.size());
            respond(ctx, new JsonObject()
                    .put("sessionId", session.getSessionId())
                    .put("logs", String.join("", lines))
                    .put("lines", lines.size()));
        });
    }

    /** The latest sample of each of the session's kernels, {@code {"sessionId", "kernels": [...]}} ordered by kernel id. */
    public void stats(RoutingContext ctx) {
        Session session = find(ctx);
        api.hgetall(STATS_KEY + session.getSessionId()).onComplete(read -> {
            if (read.failed()) {
                ctx.fail(unavailable(read.cause()));
                return;
            }
            JsonArray kernels = new JsonArray();
            Response all = read.result();
            if (all != null) {
                all.getKeys().stream().sorted().forEach(kernelId -> kernels.add(new JsonObject(all.get(kernelId).toString())));
            }
            respond(ctx, new JsonObject().put("sessionId", session.getSessionId()).put("kernels", kernels));
        });
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
