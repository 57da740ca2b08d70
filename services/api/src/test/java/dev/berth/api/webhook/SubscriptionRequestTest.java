package dev.berth.api.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SubscriptionRequestTest {

    private static final String USER = "0c6f3b1e-0000-4000-8000-000000000001";

    @Test
    @DisplayName("HOOK a project subscription with a filter; without project or userId, the caller's own sessions, every event")
    void valid() {
        SubscriptionRequest project = SubscriptionRequest.parse(new JsonObject().put("url", "https://hooks.example.com/a").put("project", "vision")
                .put("events", new JsonArray().add("started").add("terminated").add("started")), UrlPolicy.DEFAULT);
        assertEquals(new SubscriptionRequest("https://hooks.example.com/a", SubscriptionRequest.Scope.PROJECT, "vision", List.of("started", "terminated")), project);

        SubscriptionRequest own = SubscriptionRequest.parse(new JsonObject().put("url", "https://hooks.example.com/a"), UrlPolicy.DEFAULT);
        assertEquals(new SubscriptionRequest("https://hooks.example.com/a", SubscriptionRequest.Scope.USER, null, List.of()), own);

        SubscriptionRequest user = SubscriptionRequest.parse(new JsonObject().put("url", "https://hooks.example.com/a").put("userId", USER), UrlPolicy.DEFAULT);
        assertEquals(USER, user.target());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "{}|url is required",
            "{\"url\": 5}|url must be a string",
            "{\"url\": \"ftp://example.com/x\"}|url must be an http or https URL",
            "{\"url\": \"http://127.0.0.1/x\"}|url must not name a loopback host",
            "{\"url\": \"http://169.254.169.254/x\"}|url names a denied host",
            "{\"url\": \"https://h.example.com\", \"project\": \"p\", \"userId\": \"" + USER + "\"}|project and userId name two scopes",
            "{\"url\": \"https://h.example.com\", \"project\": \"\"}|project must be a non-blank string",
            "{\"url\": \"https://h.example.com\", \"userId\": \"me\"}|userId must be a user id (UUID)",
            "{\"url\": \"https://h.example.com\", \"events\": \"started\"}|events must be a list of event names",
            "{\"url\": \"https://h.example.com\", \"events\": [\"started\", \"exploded\"]}|events[1] must be one of enqueued, scheduled",
            "{\"url\": \"https://h.example.com\", \"secret\": \"mine\"}|unknown field(s) secret"})
    @DisplayName("HOOK a bad subscription body is invalid-api-params naming the field")
    void invalid(String body, String expected) {
        ProblemException problem = assertThrows(ProblemException.class, () -> SubscriptionRequest.parse(new JsonObject(body), UrlPolicy.DEFAULT));
        assertEquals(ProblemKind.INVALID_API_PARAMS, problem.kind());
        assertTrue(problem.detail().contains(expected), problem.detail());
    }

    @Test
    @DisplayName("HOOK a subscription url over 2048 characters is refused by its length")
    void tooLong() {
        String url = "https://hooks.example.com/" + "a".repeat(3000);
        ProblemException problem = assertThrows(ProblemException.class, () -> SubscriptionRequest.parse(new JsonObject().put("url", url), UrlPolicy.DEFAULT));
        assertTrue(problem.detail().startsWith("url must be at most 2048 characters"), problem.detail());
    }
}
