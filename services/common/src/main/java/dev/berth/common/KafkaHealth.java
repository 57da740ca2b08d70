package dev.berth.common;

import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/** Kafka reachability, as seen by an admin client. */
public final class KafkaHealth {

    private KafkaHealth() {}

    public static CompletionStage<Check> check(Admin admin) {
        return admin.describeCluster(new DescribeClusterOptions().timeoutMs(3_000)).nodes()
                .toCompletionStage()
                .thenApply(nodes -> nodes.isEmpty()
                        ? Check.down("no broker answered")
                        : Check.up(nodes.size() + " broker(s), first " + nodes.iterator().next().host() + ":" + nodes.iterator().next().port()));
    }
}
