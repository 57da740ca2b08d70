package dev.berth.api.webhook;

import dev.berth.api.problem.Findings;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * A {@code POST /v1/webhooks} body checked on its own: where to POST and which sessions' events.
 * Whether the project or user exists and the caller may watch it is for the database to say.
 *
 * @param target the project's name or the user's id; null for the caller's own user
 * @param events the event names to send; empty for all of them
 */
public record SubscriptionRequest(String url, Scope scope, String target, List<String> events) {

    /** Whose sessions a subscription hears about. */
    public enum Scope {
        /** Every session of one project. */
        PROJECT,
        /** Every session of one user, whichever keypair created it. */
        USER;

        public String stored() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Scope of(String stored) {
            return valueOf(stored.toUpperCase(Locale.ROOT));
        }
    }

    private static final Set<String> FIELDS = Set.of("url", "project", "userId", "events");

    public SubscriptionRequest {
        events = List.copyOf(events);
    }

    public static SubscriptionRequest parse(JsonObject body, UrlPolicy urls) {
        Findings findings = new Findings();
        findings.unknownFields(body, FIELDS);
        String url = body.getValue("url") == null ? findings.add("url", "is required") : urls.read(findings, "url", body.getValue("url"));
        String project = text(findings, "project", body.getValue("project"));
        String userId = userId(findings, body.getValue("userId"));
        if (project != null && userId != null) findings.add("project", "and userId name two scopes; give one of them (neither: your own user)");
        List<String> events = events(findings, body.getValue("events"));
        findings.throwIfAny();
        return project != null ? new SubscriptionRequest(url, Scope.PROJECT, project, events)
                : new SubscriptionRequest(url, Scope.USER, userId, events);
    }

    private static String text(Findings findings, String field, Object value) {
        if (value == null) return null;
        if (!(value instanceof String text) || text.isBlank()) return findings.add(field, "must be a non-blank string");
        return text;
    }

    private static String userId(Findings findings, Object value) {
        if (value == null) return null;
        try {
            if (value instanceof String text && UUID.fromString(text).toString().equalsIgnoreCase(text)) return text.toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            // reported below, with the value
        }
        return findings.add("userId", "must be a user id (UUID), got " + Json.encode(value));
    }

    private static List<String> events(Findings findings, Object value) {
        List<String> events = new ArrayList<>();
        if (value == null) return events;
        if (!(value instanceof JsonArray given)) return findings.add("events", "must be a list of event names: " + WebhookEvents.NAMES);
        for (int i = 0; i < given.size(); i++) {
            Object name = given.getValue(i);
            if (!(name instanceof String text) || !WebhookEvents.NAMES.contains(text)) {
                findings.add("events[" + i + "]", "must be one of " + String.join(", ", WebhookEvents.NAMES) + ", got " + Json.encode(name));
            } else if (!events.contains(text)) {
                events.add(text);
            }
        }
        return events;
    }
}
