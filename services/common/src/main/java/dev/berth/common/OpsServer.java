package dev.berth.common;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * Health ({@code GET /health}, 200 when all checks are up, else 503) and Prometheus metrics
 * ({@code GET /metrics}) for services that have no HTTP server of their own.
 */
public final class OpsServer implements AutoCloseable {

    private final HttpServer server;

    private OpsServer(HttpServer server) {
        this.server = server;
    }

    public static OpsServer start(String host, int port, HealthRegistry health, PrometheusMeterRegistry metrics) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/health", exchange -> {
            var checks = health.runAll().join();
            boolean up = checks.values().stream().allMatch(Check::up);
            respond(exchange, up ? 200 : 503, "application/json", Json.health(checks));
        });
        server.createContext("/metrics", exchange ->
                respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
        server.start();
        return new OpsServer(server);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
