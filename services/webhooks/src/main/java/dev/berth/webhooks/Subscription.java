package dev.berth.webhooks;

import dev.berth.api.webhook.SubscriptionRequest.Scope;
import dev.berth.schema.avro.Session;
import java.util.Set;
import java.util.UUID;

/**
 * An active subscription as the dispatcher matches it.
 *
 * @param scopeId the project's name or the user's id
 * @param events  the event names it wants; empty for all
 */
public record Subscription(UUID id, Scope scope, String scopeId, Set<String> events, String url, Receiver.Owner owner) {

    public Subscription {
        events = Set.copyOf(events);
    }

    /** Whether {@code event} of {@code session} is for this subscription. */
    public boolean wants(Session session, String event) {
        boolean inScope = switch (scope) {
            case PROJECT -> scopeId.equals(session.getSpec().getProject());
            case USER -> !session.getSpec().getUserId().isEmpty() && scopeId.equals(session.getSpec().getUserId());
        };
        return inScope && (events.isEmpty() || events.contains(event));
    }

    public Receiver receiver() {
        return new Receiver.Subscribed(id, url, owner);
    }
}
