package dev.berth.api.session;

import dev.berth.common.Check;
import dev.berth.common.KafkaClients;
import dev.berth.common.PollingThreads;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's queryable copy of every session, folded from {@code session.events}.
 *
 * <p>It reads all partitions from the beginning without a consumer group (every API instance keeps
 * the whole view) on its own thread, and keeps an event's session only when its version is higher
 * than the one held, so duplicates and a provisional entry (version -1) lose to the lifecycle's word.
 * Every event it reads also goes to its {@link EventFanOut}, which serves the API's event streams.
 */
public final class SessionView implements AutoCloseable {

    /** A page of a listing: the first {@code limit} matches and how many matched in all. */
    public record Page(List<Session> items, int total) {}

    private static final Logger log = LoggerFactory.getLogger(SessionView.class);
    private static final long PROVISIONAL_VERSION = -1;
    /** Events kept for resuming streams from memory: some seconds of a busy cluster, at a few KiB each. */
    private static final int KEPT_EVENTS = 10_000;
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Comparator<Session> NEWEST_FIRST = Comparator.comparing(Session::getCreatedAt)
            .reversed().thenComparing(Session::getSessionId);

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    /** Loading BerthSerdes also makes Avro trust Berth's classes, which putProvisional needs too. */
    private final Deserializer<SessionEvent> events = BerthSerdes.SESSION_EVENT;
    private final KafkaConsumer<String, byte[]> consumer;
    private final EventFanOut fanOut;
    private final String topic;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean caughtUp;
    private volatile String failure;

    public SessionView(String bootstrap, String topic) {
        this(bootstrap, topic, KEPT_EVENTS);
    }

    /** A view whose fan-out keeps the last {@code keptEvents} events for resumes. */
    public SessionView(String bootstrap, String topic, int keptEvents) {
        Map<String, Object> props = KafkaClients.consumer(bootstrap, null, "berth-api-session-view");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        // values are decoded one by one so that a bad record is skipped, not a poll failure
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        this.consumer = new KafkaConsumer<>(props);
        this.topic = topic;
        this.fanOut = new EventFanOut(keptEvents);
        this.thread = Thread.ofPlatform().name("berth-session-view").daemon(true).unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    /** The events this view reads, as they arrive, for the API's event streams. */
    public EventFanOut events() {
        return fanOut;
    }

    public Optional<Session> get(String sessionId) {
        return Optional.ofNullable(sessions.get(sessionId));
    }

    /** Sessions in one of {@code statuses} that {@code visible} lets through, newest first. */
    public Page list(Set<SessionStatus> statuses, Predicate<Session> visible, int limit) {
        List<Session> matching = sessions.values().stream()
                .filter(session -> statuses.contains(session.getStatus()))
                .filter(visible)
                .sorted(NEWEST_FIRST)
                .toList();
        return new Page(matching.subList(0, Math.min(limit, matching.size())), matching.size());
    }

    /** A just-accepted session, shown as PENDING until the lifecycle's first event replaces it. */
    public void putProvisional(String sessionId, String accessKey, SessionSpec spec, Instant at) {
        offer(Session.newBuilder()
                .setSessionId(sessionId)
                .setAccessKey(accessKey)
                .setSpec(spec)
                .setStatus(SessionStatus.PENDING)
                .setStatusHistory(Map.of(SessionStatus.PENDING.name(), at.toEpochMilli()))
                .setCreatedAt(at)
                .setKernels(List.of())
                .setVersion(PROVISIONAL_VERSION)
                .build());
    }

    /** Up once the view has read up to the end offsets it saw when it started. */
    public Check health() {
        if (failure != null) return Check.down("stopped: " + failure);
        if (caughtUp) return Check.up(sessions.size() + " session(s), caught up with " + topic);
        return Check.down("catching up with " + topic);
    }

    private void offer(Session session) {
        sessions.merge(session.getSessionId(), session,
                (held, offered) -> offered.getVersion() > held.getVersion() ? offered : held);
    }

    private void run() {
        try {
            List<TopicPartition> partitions = PollingThreads.assignAll(consumer, topic, () -> running);
            if (partitions.isEmpty()) return;
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (running) {
                consumer.poll(POLL).forEach(this::apply);
                if (!caughtUp && reached(ends)) {
                    caughtUp = true;
                    log.info("session view caught up with {}: {} session(s)", topic, sessions.size());
                }
            }
        } catch (WakeupException e) {
            // close() interrupts the poll to stop the loop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e.toString();
            log.error("session view of {} stopped", topic, e);
        } finally {
            consumer.close();
        }
    }

    private boolean reached(Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        SessionEvent event;
        try {
            event = events.deserialize(record.topic(), record.value());
        } catch (SerializationException e) {
            log.warn("skipping {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
            return;
        }
        if (event == null) return;
        // the view first, so that a stream's reader finds the session as the event shows it
        offer(event.getSession());
        fanOut.publish(new EventFanOut.Published(record.partition(), record.offset(), event));
    }

    @Override
    public void close() {
        running = false;
        PollingThreads.stop(consumer, thread);
    }
}
