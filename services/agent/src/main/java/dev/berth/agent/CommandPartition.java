package dev.berth.agent;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The partition of {@code agent.commands} that holds an agent's commands: the one the producers'
 * default partitioner picks for the agent id as key. An agent reads only that partition, without
 * joining a consumer group, so agents never wait for a rebalance.
 */
final class CommandPartition {

    private CommandPartition() {}

    static int of(String agentId, int partitionCount) {
        if (partitionCount < 1) throw new IllegalArgumentException("partition count must be >= 1, got " + partitionCount);
        byte[] key = agentId.getBytes(StandardCharsets.UTF_8);
        return Utils.toPositive(Utils.murmur2(key)) % partitionCount;
    }
}
