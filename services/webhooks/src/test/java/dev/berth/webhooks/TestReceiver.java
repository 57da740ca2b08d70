package dev.berth.webhooks;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real HTTP receiver on 127.0.0.1 that records every POST, with its own signature check (HMAC
 * computed here, not by the code under test). What it answers depends on the path's first segment:
 * {@code /ok/<name>} 200; {@code /flaky/<name>} 500 to the first two tries of each delivery, then 200;
 * {@code /hang/<name>} holds every request unanswered until {@link #release} (then 200); {@code /down/<name>}
 * 503 until {@link #bringUp}, then 200.
 */
final class TestReceiver implements AutoCloseable {

    /** One POST as it arrived; {@code answered} is 0 while held. {@code signatureValid} is null when it carried none. */
    record Hit(String behaviour, String name, String deliveryId, String eventId, String sessionId, String event, int answered,
               Boolean signatureValid, JsonObject body) {

        boolean delivered() {
            return answered >= 200 && answered < 300;
        }

        Hit answered(int status) {
            return new Hit(behaviour, name, deliveryId, eventId, sessionId, event, status, signatureValid, body);
        }
    }

    private record Held(HttpServerRequest request, Hit hit) {}

    private final HttpServer server;
    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private final List<Hit> hits = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> tries = new ConcurrentHashMap<>();
    private final Map<String, List<Held>> held = new ConcurrentHashMap<>();
    private final Map<String, Boolean> up = new ConcurrentHashMap<>();

    TestReceiver(Vertx vertx) throws Exception {
        this.server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** The URL of a receiver with this behaviour and name, whose deliveries must be signed with {@code secret} (null: unsigned). */
    String url(String behaviour, String name, String secret) {
        if (secret != null) secrets.put(name, secret);
        return "http://127.0.0.1:" + server.actualPort() + "/" + behaviour + "/" + name;
    }

    void bringUp(String name) {
        up.put(name, true);
    }

    /** Answers 200 to the held requests of a hanging receiver, and to its later ones at once. */
    void release(String name) {
        up.put(name, true);
        for (Held request : held.getOrDefault(name, List.of())) {
            hits.set(hits.indexOf(request.hit()), request.hit().answered(200));
            request.request().response().setStatusCode(200).end();
        }
    }

    List<Hit> hits(String name) {
        return hits.stream().filter(hit -> hit.name().equals(name)).toList();
    }

    /** The events delivered (answered 2xx) to {@code name} for one session, in arrival order. */
    List<String> delivered(String name, String sessionId) {
        return hits(name).stream().filter(hit -> hit.sessionId().equals(sessionId) && hit.delivered()).map(Hit::event).toList();
    }

    /** Requests that carried a signature that does not verify, or none where one was expected. */
    List<Hit> badSignatures() {
        return hits.stream().filter(hit -> !Boolean.TRUE.equals(hit.signatureValid()) && secrets.containsKey(hit.name())).toList();
    }

    private void handle(HttpServerRequest request) {
        String[] path = request.path().split("/");
        String behaviour = path.length > 1 ? path[1] : "";
        String name = path.length > 2 ? path[2] : "";
        request.body().onSuccess(buffer -> {
            byte[] body = buffer.getBytes();
            String deliveryId = request.getHeader("Idempotency-Key");
            int status = switch (behaviour) {
                case "ok" -> 200;
                case "flaky" -> tries.computeIfAbsent(deliveryId, key -> new AtomicInteger()).incrementAndGet() <= 2 ? 500 : 200;
                case "down" -> up.getOrDefault(name, false) ? 200 : 503;
                case "hang" -> up.getOrDefault(name, false) ? 200 : 0;
                default -> 404;
            };
            JsonObject json = new JsonObject(new String(body, StandardCharsets.UTF_8));
            Hit hit = new Hit(behaviour, name, deliveryId, request.getHeader("X-Berth-Event-Id"), json.getString("session_id"),
                    json.getString("event"), status, verify(name, request, body), json);
            hits.add(hit);
            if (status == 0) held.computeIfAbsent(name, key -> new CopyOnWriteArrayList<>()).add(new Held(request, hit));
            else request.response().setStatusCode(status).end();
        });
    }

    private Boolean verify(String name, HttpServerRequest request, byte[] body) {
        String signature = request.getHeader("X-Berth-Signature");
        if (signature == null) return null;
        String secret = secrets.get(name);
        if (secret == null) return false;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((request.getHeader("X-Berth-Timestamp") + ".").getBytes(StandardCharsets.UTF_8));
            return signature.equals("sha256=" + HexFormat.of().formatHex(mac.doFinal(body)));
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() throws Exception {
        for (List<Held> requests : held.values()) for (Held request : requests) request.request().connection().close();
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
