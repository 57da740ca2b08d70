package dev.berth.bench;

import dev.berth.common.KafkaClients;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.schema.avro.CreateKernel;
import dev.berth.schema.avro.KernelEvent;
import dev.berth.schema.avro.KernelEventKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Thousands of agents in one JVM: each only heartbeats, and "runs" a kernel by reporting it
 * started at once and terminated after a hold time, so that capacity keeps turning over.
 */
final class SimulatedFleet implements AutoCloseable {

    private final Topics topics;
    private final int agents;
    private final Map<String, Long> capacity;
    private final Duration hold;
    private final KafkaProducer<String, byte[]> producer;
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(1);
    private final Thread reader;
    private volatile boolean stopping;

    SimulatedFleet(String bootstrap, Topics topics, int agents, Map<String, Long> capacity, Duration hold,
                   BiConsumer<String, Long> onCreate) {
        this.topics = topics;
        this.agents = agents;
        this.capacity = capacity;
        this.hold = hold;
        this.producer = new KafkaProducer<>(KafkaClients.producer(bootstrap, "bench-fleet"), new StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer());
        heartbeatAll();
        timers.scheduleAtFixedRate(this::heartbeatAll, 10, 10, TimeUnit.SECONDS);
        this.reader = Thread.ofPlatform().name("bench-fleet-commands").start(() -> readCommands(bootstrap, onCreate));
    }

    private void heartbeatAll() {
        Instant now = Instant.now();
        for (int i = 0; i < agents; i++) {
            String id = agentId(i);
            var heartbeat = AgentHeartbeat.newBuilder().setAgentId(id).setAt(now).setAddress("sim").setRuntime("simulated")
                    .setVersion("bench").setCapacity(capacity).setOccupied(Map.of()).build();
            producer.send(new ProducerRecord<>(topics.agentHeartbeats.name(), id, BerthSerdes.AGENT_HEARTBEAT.serialize(null, heartbeat)));
        }
        producer.flush();
    }

    private void readCommands(String bootstrap, BiConsumer<String, Long> onCreate) {
        try (var consumer = new KafkaConsumer<>(KafkaClients.consumer(bootstrap, null, "bench-fleet"),
                BerthSerdes.KEY.deserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topics.agentCommands.name()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            while (!stopping) {
                for (var record : consumer.poll(Duration.ofMillis(20))) {
                    long seen = System.nanoTime();
                    AgentCommand command = BerthSerdes.AGENT_COMMAND.deserialize(record.topic(), record.value());
                    if (command.getOp() instanceof CreateKernel create) {
                        onCreate.accept(create.getSessionId(), seen);
                        send(create, command.getAgentId(), KernelEventKind.PREPARING, null);
                        send(create, command.getAgentId(), KernelEventKind.STARTED, null);
                        timers.schedule(() -> send(create, command.getAgentId(), KernelEventKind.TERMINATED, 0),
                                hold.toMillis(), TimeUnit.MILLISECONDS);
                    }
                }
            }
        }
    }

    private void send(CreateKernel kernel, String agentId, KernelEventKind kind, Integer exitCode) {
        var event = KernelEvent.newBuilder().setKernelId(kernel.getKernelId()).setSessionId(kernel.getSessionId())
                .setAgentId(agentId).setAt(Instant.now()).setKind(kind).setExitCode(exitCode)
                .setReason(kind == KernelEventKind.TERMINATED ? "self-terminated" : null).build();
        producer.send(new ProducerRecord<>(topics.kernelEvents.name(), kernel.getSessionId(), BerthSerdes.KERNEL_EVENT.serialize(null, event)));
    }

    static String agentId(int index) {
        return "sim-" + index;
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        reader.join();
        timers.shutdownNow();
        producer.close();
    }
}
