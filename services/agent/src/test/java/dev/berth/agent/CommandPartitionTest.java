package dev.berth.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CommandPartitionTest {

    @Test
    @DisplayName("an agent reads the partition the producers' default partitioner writes its id to")
    void matchesTheProducersPartitioner() {
        Set<Integer> seen = new HashSet<>();
        for (int partitions : new int[] {1, 3, 4, 12, 64}) {
            for (int i = 0; i < 500; i++) {
                String agentId = "agent-" + i;
                int expected = BuiltInPartitioner.partitionForKey(agentId.getBytes(StandardCharsets.UTF_8), partitions);
                assertEquals(expected, CommandPartition.of(agentId, partitions), agentId + " over " + partitions);
                if (partitions == 12) seen.add(expected);
            }
        }
        assertEquals(12, seen.size(), "the ids spread over every partition");
    }

    @Test
    @DisplayName("a topic without partitions is refused")
    void refusesNoPartitions() {
        assertThrows(IllegalArgumentException.class, () -> CommandPartition.of("a", 0));
    }
}
