package dev.berth.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.BerthConfig;
import dev.berth.common.KafkaClients;
import dev.berth.kafka.EmbeddedKafka;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.TopicBootstrapper;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.schema.avro.CreateKernel;
import dev.berth.schema.avro.DestroyKernel;
import dev.berth.schema.avro.KernelEvent;
import dev.berth.schema.avro.KernelEventKind;
import dev.berth.schema.avro.SessionType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatedFleetIT {

    private static final int AGENTS = 1000;

    @TempDir
    Path stateDir;

    @Test
    @DisplayName("a thousand simulated agents in one JVM heartbeat with their own ids and run kernels in memory to their end")
    void fleet() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
             Admin admin = Admin.create(KafkaClients.admin(kafka.bootstrapServers()))) {
            Topics topics = Topics.withPrefix("f.", 4);
            TopicBootstrapper.ensure(admin, topics, (short) 1);
            BerthConfig berth = new BerthConfig(kafka.bootstrapServers(), topics.prefix(), 4, stateDir);
            AgentConfig template = AgentIT.config().withRuntime("simulated");
            template = new AgentConfig(template.agentId(), "sim", template.capacity(), Duration.ofSeconds(30), template.killGrace(),
                    0, "simulated", null, template.pullTimeout(), template.statsInterval(), "none", 0, Duration.ofMillis(300), true, false);

            try (SimulatedFleet fleet = SimulatedFleet.start(berth, template, "sim-", AGENTS);
                 var heartbeats = new TopicReader<>(kafka.bootstrapServers(), topics.agentHeartbeats.name(), BerthSerdes.AGENT_HEARTBEAT);
                 var events = new TopicReader<>(kafka.bootstrapServers(), topics.kernelEvents.name(), BerthSerdes.KERNEL_EVENT);
                 var producer = new KafkaProducer<byte[], byte[]>(KafkaClients.producer(kafka.bootstrapServers(), "t"),
                         new ByteArraySerializer(), new ByteArraySerializer())) {
                Set<String> ids = heartbeats.until(records -> records.stream().map(r -> r.key()).distinct().count() == AGENTS)
                        .stream().map(r -> r.value().getAgentId()).collect(Collectors.toSet());
                assertEquals(Set.copyOf(fleet.agentIds()), ids);
                AgentHeartbeat beat = heartbeats.values().getFirst();
                assertEquals("simulated", beat.getRuntime());
                assertEquals("sim", beat.getScalingGroup());

                send(producer, topics, "sim-7", create("batch", "sim-7", "work"));
                send(producer, topics, "sim-999", create("interactive", "sim-999", null));
                send(producer, topics, "sim-999", AgentCommand.newBuilder().setCommandId("d").setAgentId("sim-999").setAt(Instant.now())
                        .setOp(DestroyKernel.newBuilder().setKernelId("interactive").setSessionId("s").setReason("user-requested").build())
                        .build());

                events.until(records -> records.stream().filter(r -> r.value().getKind() == KernelEventKind.TERMINATED).count() == 2);
                List<KernelEvent> batch = events.values().stream().filter(e -> e.getKernelId().equals("batch")).toList();
                assertEquals(List.of(KernelEventKind.PREPARING, KernelEventKind.STARTED, KernelEventKind.TERMINATED),
                        batch.stream().map(KernelEvent::getKind).toList());
                assertEquals("sim-7", batch.getLast().getAgentId());
                assertEquals(0, batch.getLast().getExitCode());
                assertTrue(Duration.between(batch.get(1).getAt(), batch.getLast().getAt()).toMillis() >= 250, "ran for its time");
                KernelEvent stopped = events.values().stream()
                        .filter(e -> e.getKernelId().equals("interactive") && e.getKind() == KernelEventKind.TERMINATED).findFirst().orElseThrow();
                assertEquals("user-requested", stopped.getReason());
                assertEquals(0, fleet.liveKernels());
            }
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, Topics topics, String agent, AgentCommand command) throws Exception {
        String topic = topics.agentCommands.name();
        producer.send(new ProducerRecord<>(topic, agent.getBytes(StandardCharsets.UTF_8), BerthSerdes.AGENT_COMMAND.serialize(topic, command))).get();
    }

    private static AgentCommand create(String kernelId, String agent, String command) {
        return AgentCommand.newBuilder().setCommandId(UUID.randomUUID().toString()).setAgentId(agent).setAt(Instant.now())
                .setOp(CreateKernel.newBuilder().setKernelId(kernelId).setSessionId("s").setSessionName("n")
                        .setSessionType(command == null ? SessionType.INTERACTIVE : SessionType.BATCH).setImage("img")
                        .setArchitecture("x86_64").setCommand(command).setResources(Map.of("cpu", 1000L))
                        .setClusterRole("main").setClusterIdx(1).setClusterHostname("main1").build())
                .build();
    }
}
