package dev.berth.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.api.webhook.SubscriptionRequest.Scope;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionResult;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.schema.avro.SessionType;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DeliveriesTest {

    private static final String SESSION = "3f1c2a9e-5b7d-4c1e-9a0b-2d4e6f8a1c3e";
    private static final String USER = "0c6f3b1e-0000-4000-8000-000000000001";
    private static final Receiver.Owner ADMIN = new Receiver.Owner("default", "AKIAOTHER", "someone");
    private static final Subscription PROJECT_ALL = subscription(Scope.PROJECT, "vision", Set.of());
    private static final Subscription PROJECT_STARTED = subscription(Scope.PROJECT, "vision", Set.of("started"));
    private static final Subscription OTHER_PROJECT = subscription(Scope.PROJECT, "audio", Set.of());
    private static final Subscription THE_USER = subscription(Scope.USER, USER, Set.of("terminated", "success"));
    private static final Subscription OTHER_USER = subscription(Scope.USER, UUID.randomUUID().toString(), Set.of());
    private static final List<Subscription> ALL = List.of(PROJECT_ALL, PROJECT_STARTED, OTHER_PROJECT, THE_USER, OTHER_USER);

    private static Subscription subscription(Scope scope, String id, Set<String> events) {
        return new Subscription(UUID.randomUUID(), scope, id, events, "https://hooks.example.com/" + id, ADMIN);
    }

    @Test
    @DisplayName("HOOK-01 the callbackUrl hears every event; a subscription of the session's project or user hears what its filter lets through")
    void receivers() {
        Events session = new Events(SESSION, "vision", USER, "https://cb.example.com/x", SessionType.INTERACTIVE);
        var started = session.at(4, SessionEventKind.STARTED, SessionStatus.RUNNING).getSession();

        List<Receiver> forStarted = Deliveries.receivers(started, "started", ALL);
        assertEquals(List.of("callback:https://cb.example.com/x", PROJECT_ALL.receiver().key(), PROJECT_STARTED.receiver().key()),
                forStarted.stream().map(Receiver::key).toList());
        List<Receiver> forTerminated = Deliveries.receivers(started, "terminated", ALL);
        assertEquals(List.of("callback:https://cb.example.com/x", PROJECT_ALL.receiver().key(), THE_USER.receiver().key()),
                forTerminated.stream().map(Receiver::key).toList());
    }

    @Test
    @DisplayName("HOOK a callback is owned by the session's owner, a subscription by its creator: each sees its own failures")
    void owners() {
        Events session = new Events(SESSION, "vision", USER, "https://cb.example.com/x", SessionType.INTERACTIVE);
        var receivers = Deliveries.receivers(session.at(1, SessionEventKind.ENQUEUED, SessionStatus.PENDING).getSession(), "enqueued", ALL);
        assertEquals(new Receiver.Owner("default", "AKIAWEBHOOKS0000", USER), receivers.get(0).owner());
        assertEquals(ADMIN, receivers.get(1).owner());
    }

    @Test
    @DisplayName("HOOK a session without callbackUrl, outside every subscription's scope, owes nothing; a user-less session no user subscription")
    void nobody() {
        Events session = new Events(SESSION, "elsewhere", "", null, SessionType.INTERACTIVE);
        assertEquals(List.of(), Deliveries.plan(session.life(), ALL));
    }

    @Test
    @DisplayName("HOOK-02 one delivery per event name and receiver, in the events' order, keyed per receiver and sharing one event id")
    void plan() {
        Events session = new Events(SESSION, "vision", USER, null, SessionType.BATCH);
        List<SessionEvent> events = List.of(
                session.at(4, SessionEventKind.STARTED, SessionStatus.RUNNING),
                session.at(5, SessionEventKind.WAITING, SessionStatus.RUNNING),
                session.at(7, SessionEventKind.TERMINATED, SessionStatus.TERMINATED, SessionResult.SUCCESS));

        List<Delivery> planned = Deliveries.plan(events, List.of(PROJECT_ALL, THE_USER));

        assertEquals(List.of("started@4.0", "terminated@7.0", "terminated@7.0", "success@7.1", "success@7.1"),
                planned.stream().map(d -> d.event() + "@" + d.version() + "." + d.seq()).toList());
        Delivery first = planned.get(1);
        Delivery second = planned.get(2);
        assertEquals(first.eventId(), second.eventId());
        assertEquals(DeliveryKeys.delivery(PROJECT_ALL.receiver().key(), SESSION, 7, "terminated"), first.id());
        assertEquals(DeliveryKeys.delivery(THE_USER.receiver().key(), SESSION, 7, "terminated"), second.id());
        assertEquals(first.eventId().toString(), first.payload().getString("event_id"));
        assertEquals(5, Set.copyOf(planned.stream().map(Delivery::id).toList()).size());
    }

    @Test
    @DisplayName("HOOK-02 the payload: type, event, session_id, when, event_id, and the session as GET /v1/sessions/{id} shows it")
    void payload() {
        Events session = new Events(SESSION, "vision", USER, "https://cb.example.com/x", SessionType.INTERACTIVE);
        JsonObject payload = Deliveries.plan(List.of(session.at(4, SessionEventKind.STARTED, SessionStatus.RUNNING)), List.of())
                .get(0).payload();
        assertEquals(List.of("type", "event", "session_id", "when", "event_id", "session"), List.copyOf(payload.fieldNames()));
        assertEquals("session_lifecycle", payload.getString("type"));
        assertEquals("started", payload.getString("event"));
        assertEquals(SESSION, payload.getString("session_id"));
        assertEquals("2026-12-01T08:00:04Z", payload.getString("when"));
        assertEquals("RUNNING", payload.getJsonObject("session").getString("status"));
        assertEquals(SESSION, payload.getJsonObject("session").getString("sessionId"));
        assertEquals("https://cb.example.com/x", payload.getJsonObject("session").getString("callbackUrl"));
    }
}
