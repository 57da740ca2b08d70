package dev.berth.api.problem;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one failure handler: turns whatever failed a request into an {@code application/problem+json}
 * body {@code {type, title, status, detail}}. Also serves the router's 404 and 405 answers.
 */
public final class ProblemHandler implements Handler<RoutingContext> {

    public static final String CONTENT_TYPE = "application/problem+json";
    private static final String SHAPE = "berth.problem.shape";
    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    @Override
    public void handle(RoutingContext ctx) {
        ProblemException problem = classify(ctx);
        // a bug deserves its stack trace; an unavailable dependency only a line
        if (problem.kind() == ProblemKind.INTERNAL_SERVER_ERROR) {
            log.error("{} {} failed: {}", ctx.request().method(), ctx.request().path(), problem.detail(), problem.getCause());
        } else if (problem.kind() == ProblemKind.SERVICE_UNAVAILABLE) {
            log.warn("{} {} answered 503: {}", ctx.request().method(), ctx.request().path(), problem.detail());
        }
        if (ctx.response().ended()) return;
        // a body left unread (refused before reading: auth, rate limit, size) leaves an HTTP/1 connection unusable
        if (!ctx.request().isEnded() && ctx.request().version() != HttpVersion.HTTP_2) {
            ctx.response().putHeader("Connection", "close");
        }
        ctx.response()
                .setStatusCode(problem.kind().status())
                .putHeader("Content-Type", CONTENT_TYPE)
                .end(shape(ctx).apply(problem).encode());
    }

    /** Makes this request's problems answer in {@code shape} (another API dialect's body), whatever fails it. */
    public static void answerIn(RoutingContext ctx, Function<ProblemException, JsonObject> shape) {
        ctx.put(SHAPE, shape);
    }

    private static Function<ProblemException, JsonObject> shape(RoutingContext ctx) {
        Function<ProblemException, JsonObject> shape = ctx.get(SHAPE);
        return shape == null ? ProblemHandler::body : shape;
    }

    public static JsonObject body(ProblemException problem) {
        return new JsonObject()
                .put("type", problem.kind().type())
                .put("title", problem.kind().title())
                .put("status", problem.kind().status())
                .put("detail", problem.detail());
    }

    private static ProblemException classify(RoutingContext ctx) {
        // a failure that crossed a CompletableFuture arrives wrapped
        Throwable failure = ctx.failure() instanceof CompletionException wrapped && wrapped.getCause() != null
                ? wrapped.getCause() : ctx.failure();
        String route = ctx.request().method() + " " + ctx.request().path();
        if (failure instanceof ProblemException problem) return problem;
        if (failure instanceof DecodeException decode) {
            return ProblemException.invalid("the body is not valid JSON: " + decode.getMessage());
        }
        // a database or Redis lost in the middle of a request: the client may retry, nothing is broken here
        if (Unavailable.is(failure)) return new ProblemException(ProblemKind.SERVICE_UNAVAILABLE, describe(failure, route), failure);
        int status = failure instanceof HttpException http ? http.getStatusCode() : ctx.statusCode();
        return switch (status) {
            case 404 -> new ProblemException(ProblemKind.URL_NOT_FOUND, "no route for " + route);
            case 405 -> new ProblemException(ProblemKind.METHOD_NOT_ALLOWED, route + " is not allowed");
            case 413 -> new ProblemException(ProblemKind.REQUEST_TOO_LARGE, "the body of " + route + " is over the size limit");
            default -> status >= 400 && status < 500
                    ? new ProblemException(ProblemKind.GENERIC_BAD_REQUEST, "HTTP " + status + " for " + route)
                    : new ProblemException(ProblemKind.INTERNAL_SERVER_ERROR, describe(failure, route), failure);
        };
    }

    private static String describe(Throwable failure, String route) {
        if (failure == null) return route + " failed without a reason";
        return route + " failed: " + failure.getClass().getSimpleName()
                + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
    }
}
