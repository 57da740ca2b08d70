package dev.berth.faults;

import static dev.berth.faults.SignedClient.body;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.identity.Keys;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A background stream of session creates at a fixed pace, bounded in count and time, that sorts
 * every answer: accepted (201), refused clearly (503 with a service-unavailable problem), or wrong
 * (anything else, including no answer within the client's timeout: a hang).
 */
final class SteadyCreates implements AutoCloseable {

    private static final String UNAVAILABLE = "https://api.backend.ai/probs/service-unavailable";

    private final SignedClient api;
    private final Keys.Keypair keypair;
    private final Duration every;
    private final int max;
    private final long stopAt;
    private final Thread thread;
    private final List<String> accepted = new CopyOnWriteArrayList<>();
    private final List<String> wrong = new CopyOnWriteArrayList<>();
    private final AtomicInteger unavailable = new AtomicInteger();
    private volatile boolean running = true;

    SteadyCreates(SignedClient api, Keys.Keypair keypair, Duration every, int max, Duration atMost) {
        this.api = api;
        this.keypair = keypair;
        this.every = every;
        this.max = max;
        this.stopAt = System.nanoTime() + atMost.toNanos();
        this.thread = Thread.ofPlatform().name("steady-creates").daemon(true).unstarted(this::run);
        thread.start();
    }

    private void run() {
        long began = System.nanoTime();
        for (int step = 0; running && step < max && System.nanoTime() < stopAt; step++) {
            long wait = began + every.toNanos() * step - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
            ObjectNode session = body().put("name", "restart-" + step).put("image", "busybox").put("type", "batch").put("command", "true");
            session.set("resources", body().put("cpu", 0.25).put("mem", "32m"));
            try {
                SignedClient.Answer answer = api.send(keypair, "POST", "/v1/sessions", session);
                sort(step, answer);
            } catch (IOException e) {
                wrong.add("create " + step + ": no answer: " + e);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sort(int step, SignedClient.Answer answer) {
        JsonNode body = answer.body();
        if (answer.status() == 201) {
            accepted.add(body.path("sessionId").asText());
        } else if (answer.status() == 503 && UNAVAILABLE.equals(body.path("type").asText()) && !body.path("detail").asText().isBlank()) {
            unavailable.incrementAndGet();
        } else {
            wrong.add("create " + step + ": " + answer.status() + " " + body);
        }
    }

    List<String> accepted() {
        return List.copyOf(accepted);
    }

    /** Answers that were neither an acceptance nor a clear 503. */
    List<String> wrong() {
        return List.copyOf(wrong);
    }

    int unavailable() {
        return unavailable.get();
    }

    /** Stops after the request in flight, waiting for it at most as long as the client's timeout. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(Duration.ofSeconds(30));
    }
}
