package dev.berth.cluster;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The project's etcd for tests (BERTH_ETCD_PORT, default 12379), with a fresh configuration
 * prefix per test; tests are skipped, with the reason printed, when it does not answer.
 */
public final class TestEtcd {

    public static final String HOST = "127.0.0.1";
    public static final int PORT = Integer.parseInt(System.getenv().getOrDefault("BERTH_ETCD_PORT", "12379"));

    private TestEtcd() {}

    private static String unavailable;
    private static boolean probed;

    /** etcd's endpoint; aborts the calling test or class (skipped, not failed) when etcd does not answer. */
    public static synchronized String endpoint() {
        String endpoint = "http://" + HOST + ":" + PORT;
        if (!probed) {
            probed = true;
            unavailable = probe(endpoint);
        }
        if (unavailable != null) {
            System.err.println("etcd tests skipped: " + unavailable);
            Assumptions.abort("no etcd: " + unavailable);
        }
        return endpoint;
    }

    /** Why etcd cannot serve the tests, or null: something must listen there, and answer a read. */
    private static String probe(String endpoint) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, PORT), 1000);
        } catch (IOException e) {
            return "nothing listens on " + HOST + ":" + PORT + " (" + e.getMessage() + "); start it with infra/servers.sh up etcd";
        }
        try (Client client = Client.builder().endpoints(endpoint).build()) {
            client.getKVClient().get(ByteSequence.from("berth/test/probe", StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
            return null;
        } catch (Exception e) {
            return HOST + ":" + PORT + " does not answer as etcd: " + e;
        }
    }

    /** A configuration prefix no other test uses. */
    public static String freshPrefix() {
        return "/berth/test-" + UUID.randomUUID() + "/config/";
    }

    /** Writes {@code value} under {@code prefix + key} as an operator with etcdctl would, behind Berth's back. */
    public static void put(String prefix, String key, String value) throws Exception {
        try (Client client = Client.builder().endpoints(endpoint()).build()) {
            client.getKVClient().put(ByteSequence.from(prefix + key, StandardCharsets.UTF_8), ByteSequence.from(value, StandardCharsets.UTF_8))
                    .get(5, TimeUnit.SECONDS);
        }
    }
}
