package dev.berth.agent.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cgroup per process kernel, {@code berth/<agentId>/<kernelId>}, so that a process kernel gets
 * the placed cpu and memory as limits and its usage is read as a container's is. Works with cgroup
 * v1 (cpu, cpuacct, memory and blkio hierarchies) and v2; where the agent may not create cgroups
 * (not root, read-only mount) kernels run without limits and usage comes from {@code /proc}.
 */
final class ProcessCgroups {

    private static final Logger log = LoggerFactory.getLogger(ProcessCgroups.class);
    private static final List<String> V1_CONTROLLERS = List.of("cpu", "cpuacct", "memory", "blkio");
    private static final long CFS_PERIOD_US = 100_000;
    /** Below this a shell cannot even start: such a limit is a mistake, not a tight kernel. */
    static final long MIN_MEM = 4L << 20;

    private final Path root;
    private final String agentId;
    private final boolean v2;

    private ProcessCgroups(Path root, String agentId, boolean v2) {
        this.root = root;
        this.agentId = agentId;
        this.v2 = v2;
    }

    static ProcessCgroups at(Path root, String agentId) {
        return new ProcessCgroups(root, agentId, Files.exists(root.resolve("cgroup.controllers")));
    }

    /**
     * Creates the kernel's cgroups with its limits and returns the {@code cgroup.procs} files its
     * first process must join; empty when cgroups cannot be created here.
     *
     * @throws KernelStartException when the kernel's limits are impossible or the kernel refuses them
     */
    List<Path> create(String kernelId, Map<String, Long> resources) throws KernelStartException {
        Long mem = resources.get("mem");
        if (mem != null && mem > 0 && mem < MIN_MEM) {
            throw new KernelStartException("a memory limit of " + mem + " bytes is too small: a process kernel needs at least "
                    + MIN_MEM + " bytes");
        }
        List<Path> procs;
        try {
            procs = v2 ? createV2(kernelId) : createV1(kernelId);
        } catch (IOException | RuntimeException e) {
            log.debug("No cgroup for kernel {}: {}", kernelId, e.toString());
            remove(kernelId);
            return List.of();
        }
        try {
            if (v2) limitV2(kernelId, resources);
            else limitV1(kernelId, resources);
            return procs;
        } catch (IOException | RuntimeException e) {
            remove(kernelId);
            throw new KernelStartException("the kernel refused the limits " + resources + ": " + e.getMessage(), e);
        }
    }

    /** Whether the kernel has cgroups of its own (after a restart: whether it was started with them). */
    boolean exists(String kernelId) {
        return dirs(kernelId).stream().anyMatch(Files::isDirectory);
    }

    /** Removes the kernel's cgroups; the kernel (all its processes) must have ended. */
    void remove(String kernelId) {
        for (Path dir : dirs(kernelId)) {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                log.debug("Cannot remove cgroup {}: {}", dir, e.toString());
            }
        }
    }

    private List<Path> createV1(String kernelId) throws IOException {
        List<Path> procs = new ArrayList<>();
        for (String controller : V1_CONTROLLERS) {
            Path hierarchy = root.resolve(controller);
            if (!Files.isDirectory(hierarchy)) continue;
            Path dir = Files.createDirectories(hierarchy.resolve("berth").resolve(agentId).resolve(kernelId));
            procs.add(dir.resolve("cgroup.procs"));
        }
        if (procs.isEmpty()) throw new IOException("no cgroup v1 hierarchy under " + root);
        return procs;
    }

    private void limitV1(String kernelId, Map<String, Long> resources) throws IOException {
        Long cpu = resources.get("cpu");
        if (cpu != null && cpu > 0) {
            Path dir = root.resolve("cpu/berth").resolve(agentId).resolve(kernelId);
            Files.writeString(dir.resolve("cpu.cfs_period_us"), Long.toString(CFS_PERIOD_US));
            Files.writeString(dir.resolve("cpu.cfs_quota_us"), Long.toString(cpu * CFS_PERIOD_US / 1000));
        }
        Long mem = resources.get("mem");
        if (mem != null && mem > 0) {
            Path dir = root.resolve("memory/berth").resolve(agentId).resolve(kernelId);
            Files.writeString(dir.resolve("memory.limit_in_bytes"), Long.toString(mem));
            Path withSwap = dir.resolve("memory.memsw.limit_in_bytes");
            if (Files.exists(withSwap)) Files.writeString(withSwap, Long.toString(mem));
        }
    }

    private List<Path> createV2(String kernelId) throws IOException {
        Path berth = root.resolve("berth");
        Path agent = berth.resolve(agentId);
        Files.createDirectories(agent);
        // controllers reach a cgroup only when every ancestor passes them down
        for (Path parent : List.of(root, berth, agent)) Files.writeString(parent.resolve("cgroup.subtree_control"), "+cpu +memory +io");
        return List.of(Files.createDirectories(agent.resolve(kernelId)).resolve("cgroup.procs"));
    }

    private void limitV2(String kernelId, Map<String, Long> resources) throws IOException {
        Path dir = root.resolve("berth").resolve(agentId).resolve(kernelId);
        Long cpu = resources.get("cpu");
        if (cpu != null && cpu > 0) Files.writeString(dir.resolve("cpu.max"), (cpu * CFS_PERIOD_US / 1000) + " " + CFS_PERIOD_US);
        Long mem = resources.get("mem");
        if (mem != null && mem > 0) {
            Files.writeString(dir.resolve("memory.max"), Long.toString(mem));
            Path swap = dir.resolve("memory.swap.max");
            if (Files.exists(swap)) Files.writeString(swap, "0");
        }
    }

    private List<Path> dirs(String kernelId) {
        if (v2) return List.of(root.resolve("berth").resolve(agentId).resolve(kernelId));
        return V1_CONTROLLERS.stream().map(c -> root.resolve(c).resolve("berth").resolve(agentId).resolve(kernelId)).toList();
    }
}
