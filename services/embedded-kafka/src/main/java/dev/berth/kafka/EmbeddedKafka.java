package dev.berth.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka (broker and controller in one process) running inside the JVM.
 *
 * <p>The data directory is formatted on first use only, so starting again on the same directory
 * (and the same ports) keeps topics, records and committed offsets. Everything listens on
 * 127.0.0.1 only.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

    private static final int NODE_ID = 1;
    private static final String CLIENT_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String HOST = "127.0.0.1";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private final boolean deleteDataDirOnClose;
    private boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, Path dataDir, int port, int controllerPort,
                          boolean deleteDataDirOnClose) {
        this.server = server;
        this.dataDir = dataDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.deleteDataDirOnClose = deleteDataDirOnClose;
    }

    /** Starts a broker on {@code dataDir}; a port of 0 picks a free loopback port. */
    public static EmbeddedKafka start(Path dataDir, int port, int controllerPort) {
        return start(dataDir, port, controllerPort, Map.of());
    }

    /** As {@link #start(Path, int, int)}, with extra broker properties that win over the defaults. */
    public static EmbeddedKafka start(Path dataDir, int port, int controllerPort, Map<String, String> overrides) {
        return start(dataDir, port, controllerPort, overrides, false);
    }

    /** Starts a broker on a fresh temporary directory and free ports; {@link #close()} deletes the directory. */
    public static EmbeddedKafka startTemporary() {
        Path dir;
        try {
            dir = Files.createTempDirectory("berth-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary Kafka data directory", e);
        }
        try {
            return start(dir, 0, 0, Map.of(), true);
        } catch (RuntimeException e) {
            deleteQuietly(dir);
            throw e;
        }
    }

    private static EmbeddedKafka start(Path dataDir, int port, int controllerPort, Map<String, String> overrides,
                                       boolean deleteDataDirOnClose) {
        Path dir = dataDir.toAbsolutePath();
        int clientPort = port == 0 ? freePort() : port;
        int quorumPort = controllerPort == 0 ? freePort() : controllerPort;
        if (clientPort == quorumPort) {
            throw new IllegalArgumentException("client and controller ports must differ, both are " + clientPort);
        }
        KafkaConfig config = new KafkaConfig(brokerProperties(dir, clientPort, quorumPort, overrides));
        formatIfNeeded(config, dir);

        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        EmbeddedKafka kafka = new EmbeddedKafka(server, dir, clientPort, quorumPort, deleteDataDirOnClose);
        try {
            server.startup();
            kafka.awaitReady();
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        log.info("Embedded Kafka ready at {} (data in {})", kafka.bootstrapServers(), dir);
        return kafka;
    }

    private static Map<String, String> brokerProperties(Path dir, int clientPort, int quorumPort,
                                                        Map<String, String> overrides) {
        Map<String, String> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + quorumPort);
        p.put("listeners", CLIENT_LISTENER + "://" + HOST + ":" + clientPort + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + quorumPort);
        p.put("advertised.listeners", CLIENT_LISTENER + "://" + HOST + ":" + clientPort);
        p.put("listener.security.protocol.map", CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", CLIENT_LISTENER);
        p.put("log.dirs", dir.toString());

        // One replica of everything: the internal topics would otherwise wait for 3 brokers forever.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");

        // The defaults are sized for a dedicated server: fewer threads for a small machine, and a
        // smaller compaction buffer than the 128 MiB that the log cleaner would allocate on the heap.
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));

        p.putAll(overrides);
        return p;
    }

    /**
     * Writes meta.properties and the bootstrap metadata once, as `kafka-storage.sh format` does.
     * A directory that already holds meta.properties is left alone so that a restart keeps the data.
     */
    private static void formatIfNeeded(KafkaConfig config, Path dir) {
        if (Files.exists(dir.resolve(MetaPropertiesEnsemble.META_PROPERTIES_NAME))) {
            return;
        }
        // The Formatter reports progress on a PrintStream (System.out by default); keep it for errors only.
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try {
            Files.createDirectories(dir);
            new Formatter()
                    .setPrintStream(new PrintStream(output, true, StandardCharsets.UTF_8))
                    .setNodeId(config.nodeId())
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .setDirectories(config.logDirs())
                    .setUnstableFeatureVersionsEnabled(config.unstableFeatureVersionsEnabled())
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka data directory " + dir + ": " + e.getMessage()
                    + "\n" + output.toString(StandardCharsets.UTF_8), e);
        }
    }

    /**
     * startup() returns before the broker is registered and unfenced, so ask it as a client would:
     * the cluster must show our one node and answer a metadata request.
     */
    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Map<String, Object> adminConfig = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        Exception last = null;
        try (Admin admin = Admin.create(adminConfig)) {
            while (System.nanoTime() < deadline) {
                try {
                    Collection<Node> nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    if (nodes.size() == 1) {
                        admin.listTopics().names().get(5, TimeUnit.SECONDS);
                        return;
                    }
                    last = new IllegalStateException("cluster reports " + nodes.size() + " nodes: " + nodes);
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the embedded Kafka", e);
                }
                sleep(100);
            }
        }
        throw new IllegalStateException("embedded Kafka at " + bootstrapServers() + " (data in " + dataDir
                + ") was not ready within " + READY_TIMEOUT.toSeconds() + " s; last error: " + last, last);
    }

    /** Client bootstrap address, {@code 127.0.0.1:<port>}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** Port of the PLAINTEXT client listener. */
    public int port() {
        return port;
    }

    /** Port of the CONTROLLER listener; pass it back to {@code start} to restart on the same directory. */
    public int controllerPort() {
        return controllerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Stops the broker and waits for it; keeps the data directory unless it came from {@link #startTemporary()}. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            if (deleteDataDirOnClose) {
                deleteQuietly(dataDir);
            }
        }
    }

    /** Binds port 0 on loopback to learn a free port; there is a small race until Kafka binds it. */
    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + HOST, e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            Utils.delete(dir.toFile());
        } catch (IOException e) {
            log.warn("Could not delete {}: {}", dir, e.toString());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the embedded Kafka", e);
        }
    }
}
