package dev.berth.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.common.BerthConfig;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class StreamsSettingsTest {

    private static Properties settings(int instances, String instanceId) {
        return StreamsSettings.of(new BerthConfig("127.0.0.1:9092", "p.", 4, Path.of("/state/instances/2"), instances, instanceId),
                Scheduler.APPLICATION, 2);
    }

    @Test
    @DisplayName("one instance keeps no standby; with more each task has one standby on another instance")
    void standbys() {
        assertEquals(0, settings(1, "node").get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG));
        assertEquals(1, settings(2, "node-1").get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG));
        assertEquals(1, settings(5, "node-1").get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG));
    }

    @Test
    @DisplayName("EVT-07 instances share the application id, each with its own client id and state directory")
    void perInstance() {
        Properties props = settings(2, "node-2");
        assertEquals("p.berth-scheduler", props.get(StreamsConfig.APPLICATION_ID_CONFIG));
        assertEquals("p.berth-scheduler-node-2", props.get(StreamsConfig.CLIENT_ID_CONFIG));
        assertEquals(Path.of("/state/instances/2/streams").toString(), props.get(StreamsConfig.STATE_DIR_CONFIG));
    }
}
