package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ConnectionTest {

    @Test
    @DisplayName("flags win over the environment, which wins over the defaults of ./berth up")
    void order() {
        Map<String, String> env = Map.of("BERTH_API", "http://api.example:9000", "BERTH_KEYPAIR", "/keys/env.json", "BERTH_STATE_DIR", "/state");
        Connection flags = Connection.resolve("https://flag.example/", Path.of("/keys/flag.json"), env);
        assertEquals(URI.create("https://flag.example"), flags.api());
        assertEquals(Path.of("/keys/flag.json"), flags.keypairFile());

        Connection fromEnv = Connection.resolve(null, null, env);
        assertEquals(URI.create("http://api.example:9000"), fromEnv.api());
        assertEquals(Path.of("/keys/env.json"), fromEnv.keypairFile());

        Connection stateDir = Connection.resolve(null, null, Map.of("BERTH_STATE_DIR", "/state"));
        assertEquals(URI.create(Connection.DEFAULT_API), stateDir.api());
        assertEquals(Path.of("/state/keypair.json"), stateDir.keypairFile());
        assertEquals(Path.of(".berth/keypair.json"), Connection.resolve(null, null, Map.of()).keypairFile());
    }

    @Test
    @DisplayName("an address that is not http(s)://host[:port] is refused, naming where it came from")
    void badAddress() {
        IllegalArgumentException flag = assertThrows(IllegalArgumentException.class, () -> Connection.resolve("127.0.0.1:8080", null, Map.of()));
        assertTrue(flag.getMessage().startsWith("--api must be"), flag.getMessage());
        IllegalArgumentException env = assertThrows(IllegalArgumentException.class,
                () -> Connection.resolve(null, null, Map.of("BERTH_API", "http://host/v1")));
        assertTrue(env.getMessage().startsWith("BERTH_API must be"), env.getMessage());
    }
}
