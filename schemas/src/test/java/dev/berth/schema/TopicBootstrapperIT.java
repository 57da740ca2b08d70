package dev.berth.schema;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.berth.kafka.EmbeddedKafka;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ListTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TopicBootstrapper against a real KRaft broker")
class TopicBootstrapperIT {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static EmbeddedKafka kafka;
    private static Admin admin;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.startTemporary();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    @AfterAll
    static void stop() {
        if (admin != null) admin.close();
        if (kafka != null) kafka.close();
    }

    @Test
    @DisplayName("ensure creates every catalogue topic with its partitions, cleanup policy and retention")
    void createsTheCatalogue() throws Exception {
        // given
        Topics topics = uniqueTopics(3);
        // when
        List<String> created = TopicBootstrapper.ensure(admin, topics, (short) 1);
        // then
        assertEquals(names(topics.all()), Set.copyOf(created));
        assertEquals(topics.all().size(), created.size());
        // metadata reaches the broker a moment after creation: until then describe may fail, and is asked again
        await().atMost(DEADLINE).ignoreExceptions().untilAsserted(() -> {
            Map<String, TopicDescription> described = admin.describeTopics(names(topics.all())).allTopicNames().get();
            for (Topics.Spec spec : topics.all()) {
                assertEquals(spec.partitions(), described.get(spec.name()).partitions().size(), spec.name());
            }
        });
        await().atMost(DEADLINE).ignoreExceptions().untilAsserted(() -> {
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources(topics.all())).all().get();
            for (Topics.Spec spec : topics.all()) {
                Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
                assertEquals(spec.compacted() ? TopicConfig.CLEANUP_POLICY_COMPACT : TopicConfig.CLEANUP_POLICY_DELETE,
                        config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value(), spec.name());
                assertEquals(Long.toString(spec.retention().toMillis()),
                        config.get(TopicConfig.RETENTION_MS_CONFIG).value(), spec.name());
            }
        });
    }

    @Test
    @DisplayName("once the broker lists the topics, a second ensure creates nothing and returns an empty list")
    void idempotent() throws Exception {
        // given
        Topics topics = uniqueTopics(2);
        TopicBootstrapper.ensure(admin, topics, (short) 1);
        await().atMost(DEADLINE).until(() -> admin.listTopics().names().get().containsAll(names(topics.all())));
        // when
        List<String> second = TopicBootstrapper.ensure(admin, topics, (short) 1);
        // then
        assertEquals(List.of(), second);
        assertEquals(names(topics.all()), admin.listTopics().names().get().stream()
                .filter(name -> name.startsWith(topics.prefix())).collect(Collectors.toSet()));
    }

    @Test
    @DisplayName("when another process creates the topics between list and create, ensure reports nothing as created")
    void raceReportsOnlyWhatItCreated() throws Exception {
        // given: a topic list taken before the topics existed, as a lagging broker or a racing process would leave it
        Topics topics = uniqueTopics(2);
        ListTopicsResult stale = admin.listTopics();
        stale.names().get();
        TopicBootstrapper.ensure(admin, topics, (short) 1);
        Admin lagging = listingFrom(stale);
        // when
        List<String> created = TopicBootstrapper.ensure(lagging, topics, (short) 1);
        // then
        assertEquals(List.of(), created);
    }

    @Test
    @DisplayName("a topic that already exists is left as it is and not reported as created")
    void existingLeftAlone() throws Exception {
        // given: session.events exists with 1 partition although the catalogue says 4
        Topics topics = uniqueTopics(4);
        admin.createTopics(List.of(new NewTopic(topics.sessionEvents.name(), 1, (short) 1))).all().get();
        await().atMost(DEADLINE).until(() -> admin.listTopics().names().get().contains(topics.sessionEvents.name()));
        // when
        List<String> created = TopicBootstrapper.ensure(admin, topics, (short) 1);
        // then
        assertEquals(topics.all().size() - 1, created.size());
        assertFalse(created.contains(topics.sessionEvents.name()));
        await().atMost(DEADLINE).untilAsserted(() -> assertEquals(1, admin.describeTopics(List.of(topics.sessionEvents.name()))
                .allTopicNames().get().get(topics.sessionEvents.name()).partitions().size()));
    }

    private static Topics uniqueTopics(int partitions) {
        return Topics.withPrefix("t" + UUID.randomUUID() + ".", partitions);
    }

    private static Set<String> names(List<Topics.Spec> specs) {
        return specs.stream().map(Topics.Spec::name).collect(Collectors.toSet());
    }

    private static List<ConfigResource> resources(List<Topics.Spec> specs) {
        return specs.stream().map(spec -> new ConfigResource(ConfigResource.Type.TOPIC, spec.name())).toList();
    }

    /** The real admin, except that listTopics() answers with an old result. */
    private static Admin listingFrom(ListTopicsResult stale) {
        return (Admin) Proxy.newProxyInstance(Admin.class.getClassLoader(), new Class<?>[] {Admin.class}, (proxy, method, args) -> {
            if (method.getName().equals("listTopics") && method.getParameterCount() == 0) return stale;
            try {
                return method.invoke(admin, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }
}
