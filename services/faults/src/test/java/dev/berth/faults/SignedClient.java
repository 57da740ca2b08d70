package dev.berth.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.identity.Keys;
import dev.berth.identity.RequestSigner;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/** Signed requests to one API on loopback, each with a timeout, so a hanging API fails the test instead of stalling it. */
final class SignedClient {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    /** What came back: the status and the body as JSON (an empty object for an empty body). */
    record Answer(int status, JsonNode body) {
        boolean ok() {
            return status == 200 || status == 201 || status == 202;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final int port;

    SignedClient(int port) {
        this.port = port;
    }

    Answer send(Keys.Keypair keypair, String method, String path, ObjectNode body) throws IOException, InterruptedException {
        String host = "127.0.0.1:" + port;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host + path)).timeout(TIMEOUT);
        RequestSigner.headers(keypair.accessKey(), keypair.secretKey(), method, path, host, body == null ? null : "application/json", Instant.now())
                .forEach(request::header);
        if (body == null) request.method(method, HttpRequest.BodyPublishers.noBody());
        else request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body()));
    }

    /** The unsigned health document, or null while nothing answers. */
    JsonNode health() {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/health"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static ObjectNode body() {
        return JSON.createObjectNode();
    }
}
