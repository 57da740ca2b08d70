package dev.berth.schema;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the catalogue's topics at start-up; topics that exist already are left as they are. */
public final class TopicBootstrapper {

    private TopicBootstrapper() {}

    /** Returns the names it created (empty when all existed). */
    public static List<String> ensure(Admin admin, Topics topics, short replicationFactor)
            throws InterruptedException, ExecutionException {
        Set<String> existing = admin.listTopics().names().get();
        List<NewTopic> missing = topics.all().stream()
                .filter(spec -> !existing.contains(spec.name()))
                .map(spec -> new NewTopic(spec.name(), spec.partitions(), replicationFactor).configs(configOf(spec)))
                .toList();
        if (missing.isEmpty()) return List.of();
        var results = admin.createTopics(missing).values();
        List<String> created = new ArrayList<>();
        for (NewTopic topic : missing) {
            try {
                results.get(topic.name()).get();
                created.add(topic.name());
            } catch (ExecutionException e) {
                // another process created it between our list and create: that is the state we wanted
                if (!(e.getCause() instanceof TopicExistsException)) throw e;
            }
        }
        return created;
    }

    static Map<String, String> configOf(Topics.Spec spec) {
        Map<String, String> config = new HashMap<>();
        config.put(TopicConfig.CLEANUP_POLICY_CONFIG,
                spec.compacted() ? TopicConfig.CLEANUP_POLICY_COMPACT : TopicConfig.CLEANUP_POLICY_DELETE);
        config.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(spec.retention().toMillis()));
        return config;
    }
}
