package dev.berth.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.Env;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What a first start writes to etcd for the keys it does not hold yet: the BERTH_* variables each
 * key names (and BERTH_IDLE's {@code key=value;...} pairs as {@code idle.*} keys), overlaid by
 * BERTH_CONFIG_FILE, a properties file or, ending in {@code .json}, a JSON object of key to value.
 * Validated as a whole before anything is written; a bad key or value stops the start, naming it.
 */
public final class ConfigSeed {

    private ConfigSeed() {}

    /** The seed of a process configured by {@code env}; {@link IllegalArgumentException} names a bad key, value or file. */
    public static Map<String, String> from(Env env) {
        Map<String, String> seed = new TreeMap<>(fromEnv(env));
        String file = env.string("BERTH_CONFIG_FILE", "");
        if (!file.isEmpty()) seed.putAll(read(Path.of(file)));
        List<Problem> problems = validate(seed);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("the configuration seed (" + (file.isEmpty() ? "from the environment" : "BERTH_CONFIG_FILE " + file
                    + " over the environment") + ") is refused: " + problems.stream().map(Problem::toString).collect(Collectors.joining("; ")));
        }
        Map<String, String> canonical = new TreeMap<>();
        seed.forEach((key, value) -> canonical.put(key, ConfigValues.canonical(key, value)));
        return canonical;
    }

    static List<Problem> validate(Map<String, String> seed) {
        Map<String, Optional<String>> changes = new TreeMap<>();
        seed.forEach((key, value) -> changes.put(key, Optional.of(value)));
        return ConfigValues.validateWrite(Map.of(), changes);
    }

    /** The keys that today's BERTH_* variables set. */
    static Map<String, String> fromEnv(Env env) {
        Map<String, String> seed = new TreeMap<>();
        for (ConfigKey<?> key : ConfigKeys.ALL) {
            key.env().ifPresent(variable -> {
                String value = env.string(variable, "");
                if (!value.isEmpty()) seed.put(key.name(), value);
            });
        }
        for (String pair : env.string("BERTH_IDLE", "").split(";")) {
            if (pair.isBlank()) continue;
            int eq = pair.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("BERTH_IDLE: \"" + pair.trim() + "\" is not key=value");
            seed.put("idle." + pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return seed;
    }

    /** A seed file: properties, or a JSON object of key to string, number or boolean when its name ends in .json. */
    static Map<String, String> read(Path file) {
        Map<String, String> seed = new TreeMap<>();
        try {
            if (file.getFileName().toString().endsWith(".json")) {
                JsonNode root = new ObjectMapper().readTree(file.toFile());
                if (root == null || !root.isObject()) throw new IllegalArgumentException("BERTH_CONFIG_FILE " + file + " must hold a JSON object of key to value");
                for (var field : root.properties()) {
                    JsonNode value = field.getValue();
                    if (!value.isValueNode() || value.isNull()) {
                        throw new IllegalArgumentException("BERTH_CONFIG_FILE " + file + ": " + field.getKey() + " must be a string, number or boolean");
                    }
                    seed.put(field.getKey(), value.asText());
                }
            } else {
                Properties properties = new Properties();
                try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    properties.load(reader);
                }
                properties.stringPropertyNames().forEach(name -> seed.put(name, properties.getProperty(name)));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("BERTH_CONFIG_FILE " + file + " cannot be read: " + e.getMessage(), e);
        }
        return seed;
    }
}
