package dev.berth.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The shared configuration as one process sees it at one etcd revision: what etcd holds, the
 * values in effect, and what was refused.
 *
 * @param revision     the highest modification revision under the prefix (0 while empty): changes with every
 *                     write to the configuration and only then, so it serves as the ETag of GET and PUT
 * @param stored       the texts under the prefix, by key name, with their modification revisions
 * @param seedRevision the revision of the seed's transaction, 0 when nothing was seeded; a key still at
 *                     this revision was written by the seed
 * @param values       the values in effect
 * @param problems     the stored texts not taken, each naming its key
 */
public record ConfigSnapshot(long revision, Map<String, Stored> stored, long seedRevision, ConfigValues values, List<Problem> problems) {

    /** A text under the prefix and the revision that wrote it. */
    public record Stored(String value, long modRevision) {}

    /** Where a key's value in effect comes from. */
    public enum Source {
        ETCD, SEED, DEFAULT;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static final ConfigSnapshot EMPTY = new ConfigSnapshot(0, Map.of(), 0, ConfigValues.DEFAULTS, List.of());

    public ConfigSnapshot {
        stored = Map.copyOf(stored);
        problems = List.copyOf(problems);
    }

    /** Resolves {@code stored} over the last good values (pure). */
    public static ConfigSnapshot resolve(Map<String, Stored> stored, ConfigValues lastGood) {
        Map<String, String> texts = new TreeMap<>();
        long revision = 0;
        for (var entry : stored.entrySet()) {
            texts.put(entry.getKey(), entry.getValue().value());
            revision = Math.max(revision, entry.getValue().modRevision());
        }
        Stored seed = stored.get(EtcdConfig.SEED_MARKER);
        ConfigValues.Resolution resolution = ConfigValues.resolve(texts, lastGood);
        return new ConfigSnapshot(revision, stored, seed == null ? 0 : seed.modRevision(), resolution.values(), resolution.problems());
    }

    public Source source(String name) {
        Stored value = stored.get(name);
        if (value == null) return Source.DEFAULT;
        return value.modRevision() == seedRevision ? Source.SEED : Source.ETCD;
    }

    public Optional<Problem> problem(String name) {
        return problems.stream().filter(p -> p.key().equals(name)).findFirst();
    }

    /** One line per key: every fixed key, and each family member that etcd holds or that has a value. */
    public record Entry(ConfigKey<?> key, String name, String value, String stored, Source source, Optional<Problem> problem) {}

    public List<Entry> entries() {
        Map<String, ConfigKey<?>> names = new LinkedHashMap<>();
        for (ConfigKey<?> key : ConfigKeys.ALL) {
            if (!key.isFamily()) names.put(key.name(), key);
        }
        TreeMap<String, ConfigKey<?>> members = new TreeMap<>();
        for (String name : stored.keySet()) {
            if (name.startsWith(ConfigValues.RESERVED) || names.containsKey(name)) continue;
            ConfigKeys.find(name).ifPresent(key -> members.put(name, key));
        }
        names.putAll(members);
        List<Entry> entries = new ArrayList<>();
        names.forEach((name, key) -> {
            Stored text = stored.get(name);
            entries.add(new Entry(key, name, values.has(name) || !key.isFamily() ? values.text(name) : null,
                    text == null ? null : text.value(), source(name), problem(name)));
        });
        return entries;
    }
}
