package dev.berth.cli.session;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Paths;
import java.util.Set;

/** What the session commands share: the path of one session and the groups of statuses they wait for (SPEC SES-08/09). */
final class Sessions {

    /** A session that runs nothing any more: following its events or logs stops there. */
    static final Set<String> ENDED = Set.of("TERMINATED", "CANCELLED", "ERROR");

    private Sessions() {}

    static String path(String sessionId) {
        return "/v1/sessions/" + Paths.segment(sessionId);
    }

    /**
     * Where --wait stops: a session that ended, or one that runs, except a batch session, whose
     * command's result is what its creator waits for (SES-20).
     */
    static boolean settled(JsonNode session) {
        String status = session.path("status").asText();
        return ENDED.contains(status) || status.equals("RUNNING") && !session.path("type").asText().equals("batch");
    }

    /** A wait that ends here failed: the session never ran, broke, or its batch command failed (SES-20 result FAILURE). */
    static boolean failed(JsonNode session) {
        String status = session.path("status").asText();
        return status.equals("CANCELLED") || status.equals("ERROR") || session.path("result").asText().equals("FAILURE");
    }

    /** Why, for stderr: {@code ended TERMINATED (self-terminated), exit code 3}. */
    static String outcome(JsonNode session) {
        StringBuilder text = new StringBuilder("session " + session.path("sessionId").asText() + " ended " + session.path("status").asText());
        if (session.hasNonNull("statusInfo")) text.append(" (").append(session.path("statusInfo").asText()).append(')');
        if (session.hasNonNull("exitCode")) text.append(", exit code ").append(session.path("exitCode").asText());
        if (session.hasNonNull("error")) text.append(": ").append(session.path("error").asText());
        return text.toString();
    }
}
