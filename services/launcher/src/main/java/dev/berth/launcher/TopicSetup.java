package dev.berth.launcher;

import dev.berth.common.BerthConfig;
import dev.berth.identity.ClusterLock;
import dev.berth.identity.Leadership;
import dev.berth.schema.TopicBootstrapper;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/**
 * The topic bootstrapper of a starting instance, under a cluster-wide etcd lock: one instance at a
 * time creates what is missing, and the others, waiting on the lock, then find every topic made and
 * create nothing. A holder that dies mid-way loses the lock with its lease.
 */
final class TopicSetup {

    /** Long enough for the broker to create every topic; a dead holder delays the others this long at most. */
    private static final Duration LOCK_TTL = Duration.ofSeconds(10);
    private static final Duration LOCK_WAIT = Duration.ofSeconds(90);
    private static final Duration CALL_WAIT = Duration.ofSeconds(5);

    private TopicSetup() {}

    /** The lock's name: instances of one Kafka cluster and topic prefix share it, others (on the same etcd) do not wait for them. */
    static String lockName(String kafkaClusterId, String topicPrefix) {
        return "berth/lock/topics/" + kafkaClusterId + "/" + (topicPrefix.isEmpty() ? "-" : topicPrefix);
    }

    /** Returns the topics this instance created. */
    static List<String> ensure(Admin admin, BerthConfig berth, String etcdEndpoint) throws Exception {
        String holder = berth.instanceId() + "-" + ProcessHandle.current().pid();
        try (Client etcd = Leadership.client(etcdEndpoint)) {
            String cluster = admin.describeCluster().clusterId().get(CALL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return ClusterLock.run(etcd, lockName(cluster, berth.topicPrefix()), holder, LOCK_TTL, LOCK_WAIT, fence -> {
                if (!fence.checkFence().get(CALL_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException(holder + " lost the topics lock before it created anything");
                }
                return TopicBootstrapper.ensure(admin, berth.topics(), (short) -1);
            });
        }
    }
}
