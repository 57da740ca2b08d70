package dev.berth.agent;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What an agent tells the scheduler about the machine it runs on.
 *
 * @param accelerators devices found per accelerator kind (SPEC RES-01 slot names)
 */
record Host(String address, String architecture, String cpuModel, int cpuCores, long memoryBytes,
            Map<String, Integer> accelerators) {

    private static final Pattern NVIDIA_DEVICE = Pattern.compile("nvidia\\d+");

    static Host local() {
        return new Host(hostname(), architecture(System.getProperty("os.arch")),
                cpuModel(lines(Path.of("/proc/cpuinfo"))), Runtime.getRuntime().availableProcessors(),
                ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize(),
                accelerators(Path.of("/dev")));
    }

    /** Images name architectures as uname does (RES-11); the JVM calls x86-64 {@code amd64}. */
    static String architecture(String osArch) {
        return "amd64".equals(osArch) ? "x86_64" : osArch;
    }

    /** The first {@code model name} of /proc/cpuinfo (x86), else its {@code Model} line (ARM boards), else empty. */
    static String cpuModel(List<String> cpuinfo) {
        for (String key : List.of("model name", "Model")) {
            for (String line : cpuinfo) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(key)) return line.substring(colon + 1).trim();
            }
        }
        return "";
    }

    /** NVIDIA GPUs show as /dev/nvidia0, /dev/nvidia1, ...; no other kind is detected yet. */
    static Map<String, Integer> accelerators(Path dev) {
        try (Stream<Path> entries = Files.list(dev)) {
            int gpus = (int) entries.filter(p -> NVIDIA_DEVICE.matcher(p.getFileName().toString()).matches()).count();
            return gpus == 0 ? Map.of() : Map.of("cuda.device", gpus);
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
