package dev.berth.webhooks;

import dev.berth.api.webhook.WebhookEvents;
import dev.berth.api.webhook.WebhookPayload;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Which deliveries a batch of session events makes: pure, so that who gets what is tested without Kafka or PostgreSQL. */
public final class Deliveries {

    private Deliveries() {}

    /** For each event, in order, each of its names, each receiver that wants it. */
    public static List<Delivery> plan(List<SessionEvent> events, List<Subscription> subscriptions) {
        List<Delivery> deliveries = new ArrayList<>();
        for (SessionEvent event : events) {
            Session session = event.getSession();
            List<String> names = WebhookEvents.of(event);
            for (int seq = 0; seq < names.size(); seq++) {
                String name = names.get(seq);
                UUID eventId = DeliveryKeys.event(event.getSessionId(), session.getVersion(), name);
                var payload = WebhookPayload.of(event, name, eventId.toString());
                for (Receiver receiver : receivers(session, name, subscriptions)) {
                    deliveries.add(new Delivery(DeliveryKeys.delivery(receiver.key(), event.getSessionId(), session.getVersion(), name),
                            receiver, event.getSessionId(), name, eventId, session.getVersion(), seq, payload));
                }
            }
        }
        return deliveries;
    }

    /** The session's callbackUrl, which hears every event (HOOK-01), and each subscription that wants this one. */
    public static List<Receiver> receivers(Session session, String event, List<Subscription> subscriptions) {
        List<Receiver> receivers = new ArrayList<>();
        String callback = session.getSpec().getCallbackUrl();
        if (callback != null) {
            receivers.add(new Receiver.Callback(callback,
                    new Receiver.Owner(session.getSpec().getDomain(), session.getAccessKey(), session.getSpec().getUserId())));
        }
        for (Subscription subscription : subscriptions) {
            if (subscription.wants(session, event)) receivers.add(subscription.receiver());
        }
        return receivers;
    }
}
