package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.berth.identity.Keys;
import dev.berth.identity.RequestSigner;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Requests to the API, each signed with the keypair as SPEC AUTH-02/03 says ({@link RequestSigner}).
 * An answer of 4xx or 5xx becomes an {@link ApiProblem}; an API that cannot be reached a {@link Unreachable}.
 */
public final class ApiClient implements AutoCloseable {

    private static final String JSON = "application/json";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);

    /** The API did not answer at all: refused, reset, timed out. */
    public static final class Unreachable extends CliFailure {
        Unreachable(URI api, IOException cause) {
            super("cannot reach the API at " + api + " (" + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + ")");
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    private final URI api;
    /** The Host header the client sends, which the signature covers. */
    private final String host;
    private final Keys.Keypair keypair;
    private final Clock clock;

    public ApiClient(URI api, Keys.Keypair keypair, Clock clock) {
        this.api = api;
        this.host = api.getPort() == -1 ? api.getHost() : api.getHost() + ":" + api.getPort();
        this.keypair = keypair;
        this.clock = clock;
    }

    public JsonNode get(String path) throws InterruptedException {
        return send("GET", path, null);
    }

    /** The answer's JSON (a missing node for an empty body); {@code body} null sends none. */
    public JsonNode send(String method, String path, JsonNode body) throws InterruptedException {
        HttpRequest.Builder request = signed(method, path, body == null ? null : JSON).timeout(ANSWER_TIMEOUT);
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(Json.compact(body)));
        HttpResponse<String> answer;
        try {
            answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Unreachable(api, e);
        }
        if (answer.statusCode() >= 400) throw new ApiProblem(Problem.parse(answer.statusCode(), answer.body()));
        JsonNode json = Json.parseOrNull(answer.body());
        return json == null ? MissingNode.getInstance() : json;
    }

    /**
     * A {@code text/event-stream} as it arrives, line by line, resuming after {@code lastEventId}
     * when not null. The caller closes the stream; reading it throws {@link java.io.UncheckedIOException}
     * when the connection drops.
     */
    public Stream<String> stream(String path, String lastEventId) throws InterruptedException {
        // no answer timeout: a stream is quiet between events, the server's keep-alive comments aside
        HttpRequest.Builder request = signed("GET", path, null).header("Accept", "text/event-stream").GET();
        if (lastEventId != null) request.header("Last-Event-ID", lastEventId);
        HttpResponse<Stream<String>> answer;
        try {
            answer = http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
        } catch (IOException e) {
            throw new Unreachable(api, e);
        }
        if (answer.statusCode() >= 400) {
            try (Stream<String> lines = answer.body()) {
                throw new ApiProblem(Problem.parse(answer.statusCode(), lines.collect(Collectors.joining("\n"))));
            }
        }
        return answer.body();
    }

    /** The command is done: nothing it started is worth waiting for. */
    @Override
    public void close() {
        http.shutdownNow();
    }

    private HttpRequest.Builder signed(String method, String path, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api + path));
        RequestSigner.headers(keypair.accessKey(), keypair.secretKey(), method, path, host, contentType, clock.instant())
                .forEach(request::header);
        if (contentType != null) request.header("Content-Type", contentType);
        return request;
    }
}
