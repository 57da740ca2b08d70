package dev.berth.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.berth.identity.KeypairFile;
import dev.berth.identity.Keys;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP server in the API's place, for what a whole stack cannot show on demand (a stream that
 * drops, an API without the event stream): it answers each {@code METHOD /path} as the test says
 * and records every request. It checks no signature; the tests check what the CLI sent.
 */
public final class FakeApi implements AutoCloseable {

    public static final Keys.Keypair KEYPAIR = new Keys.Keypair("AKIAFAKEAPITESTKEY", "fake-secret-key-for-tests-only-000000000");

    /** A request as it arrived: the path with its query, the headers (first value of each, names in lower case), the body. */
    public record Request(String method, String pathAndQuery, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    public interface Handler {
        void handle(HttpExchange exchange) throws IOException, InterruptedException;
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    /** Released at close: what a handler waits on to hold a stream open. */
    private final CountDownLatch closing = new CountDownLatch(1);

    public FakeApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(threads);
        server.createContext("/", this::dispatch);
        server.start();
    }

    public FakeApi on(String methodAndPath, Handler handler) {
        handlers.put(methodAndPath, handler);
        return this;
    }

    public List<Request> requests(String methodAndPath) {
        return requests.stream().filter(request -> methodAndPath.equals(request.method() + " " + request.pathAndQuery().split("\\?")[0])).toList();
    }

    public String address() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The settings a CLI run needs to talk to this server: its address and a keypair file in {@code dir}. */
    public Map<String, String> env(Path dir) throws IOException {
        Path file = dir.resolve("keypair.json");
        KeypairFile.writeIfAbsent(file, KEYPAIR, "tests@example.org");
        return Map.of("BERTH_API", address(), "BERTH_KEYPAIR", file.toString());
    }

    /** Blocks a handler until the test is over, so that the stream it serves stays open. */
    public void holdOpen() throws InterruptedException {
        closing.await();
    }

    public static void json(HttpExchange exchange, int status, String body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", status >= 400 ? "application/problem+json" : "application/json");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Starts a text/event-stream answer; each {@link #send} reaches the client at once. */
    public static OutputStream eventStream(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        return exchange.getResponseBody();
    }

    public static void send(OutputStream stream, String text) throws IOException {
        stream.write(text.getBytes(StandardCharsets.UTF_8));
        stream.flush();
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        threads.shutdownNow();
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        String query = exchange.getRequestURI().getRawQuery();
        Map<String, String> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.getFirst()));
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        requests.add(new Request(method, query == null ? path : path + "?" + query, Map.copyOf(headers), body));
        Handler handler = handlers.get(method + " " + path);
        try {
            if (handler == null) {
                json(exchange, 404, "{\"type\":\"" + Problem.TYPE_BASE + "url-not-found\",\"title\":\"Unknown URL path.\",\"status\":404,"
                        + "\"detail\":\"no route for " + method + " " + path + "\"}");
            } else {
                handler.handle(exchange);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }
}
