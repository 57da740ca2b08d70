package dev.berth.api.resource;

import dev.berth.common.KafkaClients;
import dev.berth.common.PollingThreads;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.AgentHeartbeat;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest heartbeat of every agent, read from {@code agent.heartbeats} (all partitions, no
 * consumer group), so that check-presets can say what each scaling group still has room for
 * (RES-04) and admins can list the agents (ADM-04). An agent silent for longer than the heartbeat
 * timeout (AGT-03) does not count as room; the list shows it as LOST.
 */
public final class AgentView implements AutoCloseable {

    /** What one live agent has left, by its own count. */
    public record Agent(String agentId, String scalingGroup, boolean schedulable, Map<String, Long> capacity, Map<String, Long> occupied) {}

    private static final Logger log = LoggerFactory.getLogger(AgentView.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final Map<String, AgentHeartbeat> latest = new ConcurrentHashMap<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final Duration timeout;
    private final Clock clock;
    private final Thread thread;
    private volatile boolean running = true;

    public AgentView(String bootstrap, String topic, Duration timeout, Clock clock) {
        Map<String, Object> props = KafkaClients.consumer(bootstrap, null, "berth-api-agent-view");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        this.consumer = new KafkaConsumer<>(props);
        this.topic = topic;
        this.timeout = timeout;
        this.clock = clock;
        this.thread = Thread.ofPlatform().name("berth-agent-view").daemon(true).unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    /** The latest heartbeat of every agent seen, live or not, by agent id. */
    public List<AgentHeartbeat> known() {
        return latest.values().stream().sorted(Comparator.comparing(AgentHeartbeat::getAgentId)).toList();
    }

    /** The latest heartbeat of one agent, if it ever sent one that is still on the topic. */
    public Optional<AgentHeartbeat> latest(String agentId) {
        return Optional.ofNullable(latest.get(agentId));
    }

    /** AGT-03: whether an agent with this latest heartbeat is alive now. */
    public boolean alive(AgentHeartbeat beat) {
        return beat.getAt().toEpochMilli() >= clock.millis() - timeout.toMillis();
    }

    /** Agents whose last heartbeat is within the timeout. */
    public List<Agent> live() {
        return latest.values().stream()
                .filter(this::alive)
                .map(beat -> new Agent(beat.getAgentId(), beat.getScalingGroup(), beat.getSchedulable(), beat.getCapacity(), beat.getOccupied()))
                .toList();
    }

    private void run() {
        try {
            List<TopicPartition> partitions = PollingThreads.assignAll(consumer, topic, () -> running);
            if (partitions.isEmpty()) return;
            consumer.seekToBeginning(partitions);
            while (running) consumer.poll(POLL).forEach(this::apply);
        } catch (WakeupException e) {
            // close() interrupts the poll to stop the loop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("agent view of {} stopped", topic, e);
        } finally {
            consumer.close();
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        try {
            AgentHeartbeat beat = BerthSerdes.AGENT_HEARTBEAT.deserialize(record.topic(), record.value());
            if (beat != null) latest.merge(beat.getAgentId(), beat, (held, offered) -> offered.getAt().isAfter(held.getAt()) ? offered : held);
        } catch (SerializationException e) {
            log.warn("agent view skips {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
        }
    }

    @Override
    public void close() {
        running = false;
        PollingThreads.stop(consumer, thread);
    }
}
