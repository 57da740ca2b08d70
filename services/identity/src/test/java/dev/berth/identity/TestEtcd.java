package dev.berth.identity;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The project's etcd for tests (BERTH_ETCD_PORT, default 12379, started by {@code infra/servers.sh up}).
 * Tests that need it are skipped, with the reason printed, when it does not answer.
 */
final class TestEtcd {

    static final String HOST = "127.0.0.1";
    static final int PORT = Integer.parseInt(System.getenv().getOrDefault("BERTH_ETCD_PORT", "12379"));

    private static String unavailable;
    private static boolean probed;

    private TestEtcd() {}

    /** etcd's endpoint; aborts the calling test or class (skipped, not failed) when etcd does not answer. */
    static synchronized String endpoint() {
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

    private static String probe(String endpoint) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, PORT), 1000);
        } catch (IOException e) {
            return "nothing listens on " + HOST + ":" + PORT + " (" + e.getMessage() + "); start it with infra/servers.sh up etcd";
        }
        try (Client client = Leadership.client(endpoint)) {
            client.getKVClient().get(ByteSequence.from("berth/test/probe", StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
            return null;
        } catch (Exception e) {
            return endpoint + " does not answer as etcd: " + e;
        }
    }
}
