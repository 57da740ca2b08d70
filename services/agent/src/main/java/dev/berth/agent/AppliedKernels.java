package dev.berth.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ids of the kernels this agent has acted on, newest last, so that a create delivered again
 * (after a crash between acting and committing the offset, or a producer retry) is ignored. Kept
 * in a file, one id a line, when the agent has a state directory: the guarantee then holds across
 * restarts. Only the last {@code remembered} ids count.
 */
final class AppliedKernels {

    private static final Logger log = LoggerFactory.getLogger(AppliedKernels.class);

    private final int remembered;
    private final Path file;
    private final Map<String, Boolean> ids;
    private int linesInFile;

    private AppliedKernels(int remembered, Path file, List<String> loaded) {
        this.remembered = remembered;
        this.file = file;
        this.ids = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > remembered;
            }
        };
        loaded.forEach(id -> ids.put(id, Boolean.TRUE));
        this.linesInFile = loaded.size();
    }

    static AppliedKernels inMemory(int remembered) {
        return new AppliedKernels(remembered, null, List.of());
    }

    static AppliedKernels inFile(int remembered, Path file) {
        List<String> loaded = new ArrayList<>();
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) if (!line.isBlank()) loaded.add(line.strip());
            }
        } catch (IOException e) {
            log.warn("Cannot read {}: {}; redelivered creates may run again", file, e.toString());
        }
        return new AppliedKernels(remembered, file, loaded);
    }

    /** Records the id; true when it was not known before. */
    synchronized boolean add(String kernelId) {
        if (ids.containsKey(kernelId)) return false;
        ids.put(kernelId, Boolean.TRUE);
        persist(kernelId);
        return true;
    }

    synchronized boolean contains(String kernelId) {
        return ids.containsKey(kernelId);
    }

    private void persist(String kernelId) {
        if (file == null) return;
        try {
            Files.createDirectories(file.getParent());
            if (linesInFile >= 2 * remembered) {
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                Files.write(tmp, ids.keySet());
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                linesInFile = ids.size();
            } else {
                Files.writeString(file, kernelId + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                linesInFile++;
            }
        } catch (IOException e) {
            log.warn("Cannot record kernel {} in {}: {}", kernelId, file, e.toString());
        }
    }
}
