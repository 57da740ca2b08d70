package dev.berth.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostTest {

    @Test
    @DisplayName("RES-11 the JVM's amd64 is reported as x86_64; aarch64 stays as it is")
    void architectureAsImagesNameIt() {
        assertEquals("x86_64", Host.architecture("amd64"));
        assertEquals("aarch64", Host.architecture("aarch64"));
    }

    @Test
    @DisplayName("the cpu model comes from /proc/cpuinfo: model name on x86, Model on ARM boards, else empty")
    void cpuModel() {
        assertEquals("Intel(R) Xeon(R) CPU", Host.cpuModel(List.of("processor\t: 0", "model name\t: Intel(R) Xeon(R) CPU", "model name\t: other")));
        assertEquals("Raspberry Pi 4 Model B", Host.cpuModel(List.of("processor : 0", "Model : Raspberry Pi 4 Model B")));
        assertEquals("", Host.cpuModel(List.of()));
    }

    @Test
    @DisplayName("NVIDIA devices count as cuda.device accelerators; none found, none reported")
    void accelerators(@TempDir Path dev) throws Exception {
        assertEquals(Map.of(), Host.accelerators(dev));
        for (String name : List.of("nvidia0", "nvidia1", "nvidiactl", "nvidia-uvm")) Files.writeString(dev.resolve(name), "");
        assertEquals(Map.of("cuda.device", 2), Host.accelerators(dev));
    }
}
