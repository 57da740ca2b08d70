package dev.berth.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.api.webhook.UrlPolicy;
import dev.berth.webhooks.Attempts.Outcome;
import dev.berth.webhooks.Attempts.Result;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AttemptsTest {

    private static final WebhookSettings THREE_TRIES = new WebhookSettings(Duration.ofSeconds(5), 3, Duration.ofSeconds(1),
            Duration.ofMinutes(5), 4, Duration.ofSeconds(1), Optional.empty(), UrlPolicy.DEFAULT);

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {200, 201, 202, 204, 299})
    @DisplayName("HOOK any 2xx is delivered, even on the last try")
    void delivered(int status) {
        assertEquals(new Outcome.Delivered(), Attempts.decide(new Result.Answered(status), 3, THREE_TRIES));
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {100, 301, 400, 410, 429, 500, 503})
    @DisplayName("HOOK anything else is retried with the backoff of the tries so far")
    void retried(int status) {
        assertEquals(new Outcome.Retry(Duration.ofSeconds(2), "HTTP " + status), Attempts.decide(new Result.Answered(status), 2, THREE_TRIES));
    }

    @Test
    @DisplayName("HOOK no answer (a timeout, a refused connection) is retried too, with its error")
    void noAnswer() {
        assertEquals(new Outcome.Retry(Duration.ofSeconds(1), "no answer within 5000 ms"),
                Attempts.decide(new Result.Failed("no answer within 5000 ms"), 1, THREE_TRIES));
    }

    @Test
    @DisplayName("HOOK the last try's failure dead-letters the delivery with its reason")
    void lastTry() {
        assertEquals(new Outcome.DeadLetter("HTTP 500"), Attempts.decide(new Result.Answered(500), 3, THREE_TRIES));
        assertEquals(new Outcome.DeadLetter("ConnectException: refused"), Attempts.decide(new Result.Failed("ConnectException: refused"), 3, THREE_TRIES));
    }

    @Test
    @DisplayName("HOOK a URL the deny list now refuses is dead-lettered at once: no try could succeed")
    void refused() {
        assertEquals(new Outcome.DeadLetter("not sent: the URL names a denied host"),
                Attempts.decide(new Result.Refused("names a denied host"), 1, THREE_TRIES));
    }
}
