package dev.berth.agent;

import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.CreateKernel;
import dev.berth.schema.avro.DestroyKernel;
import dev.berth.schema.avro.SetSchedulable;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads agents' commands on a thread of its own, the only one that touches the consumer. One
 * loop serves one agent, or a whole simulated fleet: each create or destroy goes to the supervisor
 * of the agent its key names, each SetSchedulable to {@link Schedulability}.
 *
 * <p>The consumer is assigned the partitions that the agents' keys map to; its group id serves
 * only to keep the committed offsets. Offsets are committed once the commands below them have
 * settled and their effects have been flushed, so a command is never lost, and one delivered
 * twice is ignored by the supervisor.
 * Before the first poll, {@code beforeReading} runs with the partitions: recovery happens there.
 */
final class CommandLoop implements AutoCloseable {

    /** Takes an admin's SetSchedulable for one of the loop's agents; runs on the loop's thread. */
    @FunctionalInterface
    interface Schedulability {
        void set(String agentId, SetSchedulable command);
    }

    private static final Logger log = LoggerFactory.getLogger(CommandLoop.class);
    /** Also how long {@link #close()} may wait for the loop to notice it should stop. */
    private static final Duration POLL = Duration.ofMillis(200);
    /** How long the loop looks for its topic before it gives up. */
    static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final String topic;
    private final Map<String, Object> consumerConfig;
    private final Map<String, KernelSupervisor> supervisors;
    private final Schedulability schedulability;
    private final java.util.function.Consumer<List<TopicPartition>> beforeReading;
    private final Outbox outbox;
    private final Map<String, Counter> commandsByOp = new HashMap<>();
    private final CompletableFuture<List<TopicPartition>> assigned = new CompletableFuture<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    /** Commands read but not committed yet, in the order read. */
    private final Deque<Pending> pending = new ArrayDeque<>();
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    private final Thread thread;
    private volatile boolean stopping;
    private volatile boolean running;

    /** @param name the agent's id, or the fleet's name: it tags the metrics and names the thread */
    CommandLoop(String name, String topic, Map<String, Object> consumerConfig, Map<String, KernelSupervisor> supervisors,
                Schedulability schedulability, java.util.function.Consumer<List<TopicPartition>> beforeReading, Outbox outbox,
                MeterRegistry meters) {
        this.name = name;
        this.topic = topic;
        this.consumerConfig = new HashMap<>(consumerConfig);
        this.consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        this.consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        this.supervisors = Map.copyOf(supervisors);
        this.schedulability = schedulability;
        this.beforeReading = beforeReading;
        this.outbox = outbox;
        for (String op : List.of("create", "destroy", "schedulable", "dead-letter")) {
            commandsByOp.put(op, Counter.builder("berth.agent.commands").description("Commands read by the agent, by operation")
                    .tag("agent", name).tag("op", op).register(meters));
        }
        this.thread = Thread.ofPlatform().name("berth-agent-" + name + "-commands").daemon().unstarted(this::run);
    }

    /** Starts reading; the future completes with the partitions read once assigned and recovered. */
    CompletableFuture<List<TopicPartition>> start() {
        thread.start();
        return assigned;
    }

    boolean running() {
        return running;
    }

    /** Completes when the loop has ended, whether closed or failed. */
    CompletableFuture<Void> ended() {
        return ended;
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        if (thread.isAlive() && thread != Thread.currentThread()) thread.join();
    }

    private void run() {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig)) {
            List<TopicPartition> partitions = assign(consumer);
            beforeReading.accept(partitions);
            running = true;
            assigned.complete(partitions);
            log.info("Agent {} reads its commands from {}", name, partitions);
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    pending.add(new Pending(new TopicPartition(record.topic(), record.partition()), record.offset(), accept(record)));
                }
                commitSettled(consumer);
            }
            commitSettled(consumer);
        } catch (RuntimeException e) {
            log.error("The command loop of agent {} stopped: {}", name, e.toString(), e);
            assigned.completeExceptionally(e);
        } finally {
            running = false;
            ended.complete(null);
        }
    }

    private List<TopicPartition> assign(KafkaConsumer<byte[], byte[]> consumer) {
        List<PartitionInfo> partitions = consumer.partitionsFor(topic, METADATA_TIMEOUT);
        if (partitions == null || partitions.isEmpty()) throw new IllegalStateException("topic " + topic + " does not exist");
        List<TopicPartition> mine = supervisors.keySet().stream()
                .map(id -> CommandPartition.of(id, partitions.size())).distinct().sorted()
                .map(p -> new TopicPartition(topic, p)).toList();
        consumer.assign(mine);
        return mine;
    }

    /**
     * Commits the commands read up to the first one not settled yet (in the order read, so no
     * partition gets ahead of it): a create settles when its start's outcome is out, so that a
     * crash in the middle of a start delivers the create again. The effects are flushed to Kafka
     * before the offsets say the commands are done.
     */
    private void commitSettled(KafkaConsumer<byte[], byte[]> consumer) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        while (!pending.isEmpty() && pending.peekFirst().settled().isDone()) {
            Pending done = pending.pollFirst();
            offsets.put(done.partition(), new OffsetAndMetadata(done.offset() + 1));
        }
        if (offsets.isEmpty()) return;
        outbox.flush();
        consumer.commitSync(offsets);
    }

    /** A command read, and whether its effect is out. */
    private record Pending(TopicPartition partition, long offset, CompletableFuture<Void> settled) {}

    private CompletableFuture<Void> accept(ConsumerRecord<byte[], byte[]> record) {
        String key = record.key() == null ? null : BerthSerdes.KEY.deserializer().deserialize(topic, record.key());
        KernelSupervisor kernels = key == null ? null : supervisors.get(key);
        if (kernels == null) return DONE; // another agent's command that shares the partition
        AgentCommand command;
        try {
            command = BerthSerdes.AGENT_COMMAND.deserialize(topic, record.value());
        } catch (SerializationException e) {
            setAside(record, e.getMessage());
            return DONE;
        }
        if (command == null) {
            setAside(record, "empty value: not an AgentCommand");
            return DONE;
        }
        switch (command.getOp()) {
            case CreateKernel create -> {
                count("create");
                return kernels.create(create);
            }
            case DestroyKernel destroy -> {
                count("destroy");
                kernels.destroy(destroy);
                return DONE;
            }
            case SetSchedulable schedulable -> {
                count("schedulable");
                schedulability.set(key, schedulable);
                return DONE;
            }
            default -> {
                setAside(record, "unknown command " + command.getOp().getClass().getSimpleName());
                return DONE;
            }
        }
    }

    private void setAside(ConsumerRecord<byte[], byte[]> record, String reason) {
        log.warn("Command at {}-{}@{} set aside: {}", record.topic(), record.partition(), record.offset(), reason);
        count("dead-letter");
        outbox.deadLetter(record, reason);
    }

    private void count(String op) {
        commandsByOp.get(op).increment();
    }
}
