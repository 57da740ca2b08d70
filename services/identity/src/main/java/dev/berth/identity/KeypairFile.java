package dev.berth.identity;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The bootstrap keypair on disk, {@code <state dir>/keypair.json}: what the CLI and the README's
 * walkthrough sign with. Written once, owner-readable only, and never overwritten.
 */
public final class KeypairFile {

    public static final String NAME = "keypair.json";

    private KeypairFile() {}

    public static Path in(Path stateDir) {
        return stateDir.resolve(NAME);
    }

    public static Optional<Keys.Keypair> read(Path file) throws IOException {
        if (!Files.exists(file)) return Optional.empty();
        JsonObject json = new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
        String accessKey = json.getString("accessKey");
        String secretKey = json.getString("secretKey");
        if (accessKey == null || secretKey == null) throw new IOException(file + " must hold accessKey and secretKey");
        return Optional.of(new Keys.Keypair(accessKey, secretKey));
    }

    /** Writes the file unless one exists; true when this call wrote it. */
    public static boolean writeIfAbsent(Path file, Keys.Keypair keypair, String userEmail) throws IOException {
        if (Files.exists(file)) return false;
        Files.createDirectories(file.toAbsolutePath().getParent());
        String json = new JsonObject()
                .put("accessKey", keypair.accessKey())
                .put("secretKey", keypair.secretKey())
                .put("user", userEmail)
                .encodePrettily() + "\n";
        Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".keypair", ".json");
        try {
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's permissions are all there is
            }
            Files.writeString(temp, json, StandardCharsets.UTF_8);
            // a plain move fails when another process wrote the file first: theirs stays
            Files.move(temp, file);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
