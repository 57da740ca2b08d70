package dev.berth.api;

import static org.awaitility.Awaitility.await;

import dev.berth.api.session.RequestPublisher;
import dev.berth.api.session.SessionView;
import dev.berth.cluster.EtcdConfig;
import dev.berth.cluster.TestEtcd;
import dev.berth.common.BerthConfig;
import dev.berth.common.Env;
import dev.berth.common.HealthRegistry;
import dev.berth.common.KafkaClients;
import dev.berth.identity.KeypairFile;
import dev.berth.identity.Keys;
import dev.berth.identity.PgSettings;
import dev.berth.identity.RequestSigner;
import dev.berth.identity.TestDatabases;
import dev.berth.kafka.EmbeddedKafka;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.TopicBootstrapper;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionRequest;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * An API server on an embedded broker, a fresh PostgreSQL schema and a configuration prefix of its
 * own, for the integration tests that drive it over signed HTTP; {@link #close()} takes it all down
 * again, the last opened first.
 */
public final class TestApi implements AutoCloseable {

    public static final String HOST = "127.0.0.1";
    private static final String JSON = "application/json";
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    /** Migrations and the bootstrap run on the first start; the API itself gives them a minute. */
    private static final Duration START = Duration.ofSeconds(60);

    private EmbeddedKafka kafka;
    private PgSettings pg;
    private Path stateDir;
    private BerthConfig berth;
    private Topics topics;
    private Env env;
    private ApiConfig config;
    private Producer<String, SessionRequest> producer;
    private KafkaProducer<String, byte[]> writer;
    private SessionView view;
    private Vertx vertx;
    private EtcdConfig shared;
    private final HealthRegistry health = new HealthRegistry(Duration.ofSeconds(2));
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<ApiServer> servers = new ArrayList<>();
    private int port;
    private WebClient client;
    private Keys.Keypair superadmin;

    private TestApi() {}

    /** Two partitions a topic; {@code env} adds to or overrides port 0, the fresh schema and a fresh configuration prefix. */
    public static TestApi start(Map<String, String> env) throws Exception {
        return start(2, env);
    }

    public static TestApi start(int partitions, Map<String, String> env) throws Exception {
        return launch(partitions, env, false);
    }

    /** As {@link #start(int, Map)}, with the shared configuration seeded from {@code env} and read back, as ApiMain does. */
    public static TestApi startSeeded(int partitions, Map<String, String> env) throws Exception {
        return launch(partitions, env, true);
    }

    private static TestApi launch(int partitions, Map<String, String> overrides, boolean seed) throws Exception {
        TestApi api = new TestApi();
        try {
            api.open(partitions, overrides, seed);
            return api;
        } catch (Exception | Error e) {
            api.close();
            throw e;
        }
    }

    private void open(int partitions, Map<String, String> overrides, boolean seed) throws Exception {
        kafka = EmbeddedKafka.startTemporary();
        pg = TestDatabases.freshSchema();
        stateDir = Files.createTempDirectory("api-it");
        berth = new BerthConfig(kafka.bootstrapServers(), "t" + UUID.randomUUID() + ".", partitions, stateDir);
        topics = berth.topics();
        try (Admin admin = Admin.create(KafkaClients.admin(kafka.bootstrapServers()))) {
            TopicBootstrapper.ensure(admin, topics, (short) 1);
        }
        Map<String, String> variables = new HashMap<>(Map.of("BERTH_API_PORT", "0", "BERTH_PG_SCHEMA", pg.schema(),
                "BERTH_CONFIG_PREFIX", TestEtcd.freshPrefix()));
        variables.putAll(overrides);
        Env given = new Env(variables);
        if (seed) {
            // as ApiMain does: seeded from the environment, which it then fills with what etcd holds
            shared = EtcdConfig.start(given, berth.topicPrefix(), "api", metrics, health);
            env = shared.overlay(given);
        } else {
            shared = EtcdConfig.connect(EtcdConfig.endpoint(given), EtcdConfig.prefix(given, berth.topicPrefix()), "api", metrics);
            shared.start();
            health.registerNow("config", shared::health);
            env = given;
        }
        config = ApiConfig.from(env);
        producer = RequestPublisher.createProducer(kafka.bootstrapServers(), config.ackTimeout());
        writer = new KafkaProducer<>(KafkaClients.producer(kafka.bootstrapServers(), "api-it-writer"),
                new StringSerializer(), new ByteArraySerializer());
        view = new SessionView(kafka.bootstrapServers(), topics.sessionEvents.name());
        view.start();
        vertx = Vertx.vertx();
        port = start(new ApiServer(), health, metrics);
        client = WebClient.create(vertx);
        superadmin = KeypairFile.read(KeypairFile.in(stateDir)).orElseThrow();
        await().atMost(DEADLINE).until(() -> view.health().up());
    }

    /** The watch of the shared configuration every server of this fixture reads. */
    public EtcdConfig shared() {
        return shared;
    }

    /** Another API instance beside the first, on the same broker, database, producer and view; its port. */
    public int serve() throws Exception {
        HealthRegistry checks = new HealthRegistry(Duration.ofSeconds(2));
        checks.registerNow("config", shared::health);
        return start(new ApiServer(), checks, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    private int start(ApiServer server, HealthRegistry checks, PrometheusMeterRegistry registry) throws Exception {
        servers.add(server);
        return join(server.start(vertx, berth, config, shared, producer, view, checks, registry), START);
    }

    /** A request signed with {@code keypair} to the first instance; a body is sent as JSON. */
    public HttpResponse<Buffer> send(Keys.Keypair keypair, HttpMethod method, String path, String body) throws Exception {
        return send(keypair, port, method, path, body);
    }

    /** A request signed with {@code keypair} to the API on {@code toPort}; a body is sent as JSON. */
    public HttpResponse<Buffer> send(Keys.Keypair keypair, int toPort, HttpMethod method, String path, String body) throws Exception {
        HttpRequest<Buffer> request = client.request(method, toPort, HOST, path);
        RequestSigner.headers(keypair.accessKey(), keypair.secretKey(), method.name(), path, HOST + ":" + toPort,
                body == null ? null : JSON, Instant.now()).forEach(request::putHeader);
        return join(body == null ? request.send() : request.putHeader("Content-Type", JSON).sendBuffer(Buffer.buffer(body)));
    }

    /** Writes the event to session.events as the lifecycle would; {@code partition} null lets the key choose it. */
    public void writeEvent(Integer partition, SessionEvent event) throws Exception {
        String topic = topics.sessionEvents.name();
        writer.send(new ProducerRecord<>(topic, partition, event.getSessionId(), BerthSerdes.SESSION_EVENT.serialize(topic, event))).get();
    }

    /** Reads session.requests from the beginning until a request of {@code op} for the session shows up. */
    public SessionRequest awaitRequest(String sessionId, Class<?> op) {
        String topic = topics.sessionRequests.name();
        try (KafkaConsumer<String, SessionRequest> consumer = new KafkaConsumer<>(
                KafkaClients.consumer(kafka.bootstrapServers(), null, "api-it-probe"),
                new StringDeserializer(), BerthSerdes.SESSION_REQUEST)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            AtomicReference<SessionRequest> found = new AtomicReference<>();
            await().atMost(DEADLINE).pollInSameThread().until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(record -> {
                    if (record.key().equals(sessionId) && op.isInstance(record.value().getOp())) found.set(record.value());
                });
                return found.get() != null;
            });
            return found.get();
        }
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public BerthConfig berth() {
        return berth;
    }

    public Topics topics() {
        return topics;
    }

    /** The variables the API was configured from (after the shared configuration's overlay, when seeded). */
    public Env env() {
        return env;
    }

    public PgSettings pg() {
        return pg;
    }

    public Path stateDir() {
        return stateDir;
    }

    public Vertx vertx() {
        return vertx;
    }

    public SessionView view() {
        return view;
    }

    /** Raw records to any topic, as another service would write them. */
    public KafkaProducer<String, byte[]> writer() {
        return writer;
    }

    /** The first instance's shared checks, which /v1/health reports beside its own. */
    public HealthRegistry health() {
        return health;
    }

    public PrometheusMeterRegistry metrics() {
        return metrics;
    }

    public int port() {
        return port;
    }

    public WebClient client() {
        return client;
    }

    /** The keypair the bootstrap wrote to the state directory. */
    public Keys.Keypair superadmin() {
        return superadmin;
    }

    @Override
    public void close() throws Exception {
        for (ApiServer server : servers) join(server.close());
        if (vertx != null) join(vertx.close());
        if (view != null) view.close();
        if (writer != null) writer.close();
        if (producer != null) producer.close();
        if (shared != null) shared.close();
        if (kafka != null) kafka.close();
        if (pg != null) TestDatabases.drop(pg);
    }

    public static <T> T join(Future<T> future) throws Exception {
        return join(future, DEADLINE);
    }

    private static <T> T join(Future<T> future, Duration within) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(within.toMillis(), TimeUnit.MILLISECONDS);
    }
}
