package dev.berth.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Typed values of the keys that have one, by key name; every other key has its default. Immutable.
 * The pure decisions of the configuration live here: what a set of stored texts resolves to
 * ({@link #resolve}) and whether a write may go ahead ({@link #validateWrite}).
 */
public final class ConfigValues {

    public static final ConfigValues DEFAULTS = new ConfigValues(Map.of());
    /** Keys under the prefix that are Berth's own bookkeeping, not settings (e.g. the seed's marker). */
    static final String RESERVED = "_";

    private final Map<String, Object> present;

    private ConfigValues(Map<String, Object> present) {
        this.present = Collections.unmodifiableMap(new TreeMap<>(present));
    }

    public <T> T get(ConfigKey<T> key) {
        if (key.isFamily()) throw new IllegalArgumentException(key.name() + " is a family: name a member");
        @SuppressWarnings("unchecked") T value = (T) present.get(key.name());
        return value != null ? value : key.defaultValue().orElseThrow();
    }

    public <T> Optional<T> get(ConfigKey<T> family, String member) {
        @SuppressWarnings("unchecked") T value = (T) present.get(family.keyFor(member));
        return Optional.ofNullable(value);
    }

    /** The members (group or metric names) of {@code family} that have a value. */
    public Set<String> members(ConfigKey<?> family) {
        Set<String> members = new LinkedHashSet<>();
        for (String name : present.keySet()) if (family.matches(name)) members.add(family.member(name));
        return members;
    }

    public boolean has(String name) {
        return present.containsKey(name);
    }

    /** Key names with a value, sorted. */
    public Set<String> names() {
        return present.keySet();
    }

    /** The text of the value in effect for {@code name}: its own, else the key's default; null for an absent family member. */
    public String text(String name) {
        ConfigKey<?> key = ConfigKeys.find(name).orElseThrow(() -> new IllegalArgumentException("unknown key " + name));
        return format(key, present.get(name));
    }

    @SuppressWarnings("unchecked")
    private static <T> String format(ConfigKey<T> key, Object value) {
        return value != null ? key.type().format((T) value) : key.formatDefault();
    }

    /** {@code text} as the key {@code name} takes it; {@link IllegalArgumentException} says why not (without the key). */
    public static Object parse(String name, String text) {
        ConfigKey<?> key = ConfigKeys.find(name)
                .orElseThrow(() -> new IllegalArgumentException("is not a configuration key (see GET /v1/admin/config)"));
        return key.type().parseFor(name, text);
    }

    /** These values with each change applied: a text sets the key (already parsed), empty removes it. */
    private ConfigValues with(Map<String, Object> changes) {
        Map<String, Object> next = new TreeMap<>(present);
        changes.forEach((name, value) -> {
            if (value == null) next.remove(name);
            else next.put(name, value);
        });
        return new ConfigValues(next);
    }

    private List<Problem> violations() {
        List<Problem> problems = new ArrayList<>();
        for (ConfigKeys.Constraint constraint : ConfigKeys.CONSTRAINTS) problems.addAll(constraint.check(this));
        return problems;
    }

    /** What a set of stored texts comes to, and the problems of the ones that were not taken. */
    public record Resolution(ConfigValues values, List<Problem> problems) {}

    /**
     * Resolves what etcd holds. A value that does not parse, an unknown key, or a value that breaks a
     * rule between keys is not taken: the key keeps its value in {@code lastGood} (its default if it
     * had none there), and the problem is reported.
     */
    public static Resolution resolve(Map<String, String> stored, ConfigValues lastGood) {
        List<Problem> problems = new ArrayList<>();
        Map<String, Object> taken = new TreeMap<>();
        for (var entry : new TreeMap<>(stored).entrySet()) {
            String name = entry.getKey();
            if (name.startsWith(RESERVED)) continue;
            try {
                taken.put(name, parse(name, entry.getValue()));
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(name, "\"" + entry.getValue() + "\" " + e.getMessage()));
                Object previous = lastGood.present.get(name);
                if (previous != null) taken.put(name, previous);
            }
        }
        ConfigValues candidate = new ConfigValues(taken);
        for (int round = 0; round < 3; round++) {
            List<Problem> broken = candidate.violations();
            if (broken.isEmpty()) return new Resolution(candidate, List.copyOf(problems));
            Map<String, Object> reverted = new TreeMap<>();
            for (Problem problem : broken) {
                if (round == 0) problems.add(problem);
                reverted.put(problem.key(), lastGood.present.get(problem.key()));
            }
            candidate = candidate.with(reverted);
        }
        return new Resolution(lastGood, List.copyOf(problems));
    }

    /**
     * Checks a write before anything is written: every changed key must be known and its value parse
     * (an empty Optional removes the key, back to its default), and the values that etcd would then hold
     * must keep every rule between keys. Stored texts that do not parse and are not changed are left
     * out of the check; they stay reported until fixed.
     *
     * @return the problems, none when the write may go ahead
     */
    public static List<Problem> validateWrite(Map<String, String> stored, Map<String, Optional<String>> changes) {
        List<Problem> problems = new ArrayList<>();
        Map<String, Object> next = new TreeMap<>();
        for (var entry : stored.entrySet()) {
            if (entry.getKey().startsWith(RESERVED)) continue;
            try {
                next.put(entry.getKey(), parse(entry.getKey(), entry.getValue()));
            } catch (IllegalArgumentException ignored) {
                // already reported by the watchers; a write may fix it or leave it
            }
        }
        for (var change : new TreeMap<>(changes).entrySet()) {
            String name = change.getKey();
            // a stray key etcd holds may always be removed: that is how a bad one written behind Berth's back is cleaned up
            if (change.getValue().isEmpty() && stored.containsKey(name) && !name.startsWith(RESERVED)) {
                next.remove(name);
                continue;
            }
            if (name.startsWith(RESERVED) || ConfigKeys.find(name).isEmpty()) {
                problems.add(new Problem(name, "is not a configuration key (see GET /v1/admin/config)"));
                continue;
            }
            if (change.getValue().isEmpty()) {
                next.remove(name);
                continue;
            }
            try {
                next.put(name, parse(name, change.getValue().get()));
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(name, "\"" + change.getValue().get() + "\" " + e.getMessage()));
            }
        }
        if (problems.isEmpty()) problems.addAll(new ConfigValues(next).violations());
        return problems;
    }

    /** The values of already-validated texts (a write or a seed that passed {@link #validateWrite}). */
    public static ConfigValues of(Map<String, String> texts) {
        Map<String, Object> parsed = new TreeMap<>();
        texts.forEach((name, text) -> {
            if (!name.startsWith(RESERVED)) parsed.put(name, parse(name, text));
        });
        return new ConfigValues(parsed);
    }

    /** The canonical text of a valid value of {@code name}, as it is stored in etcd. */
    public static String canonical(String name, String text) {
        ConfigKey<?> key = ConfigKeys.find(name).orElseThrow();
        return format(key, key.type().parseFor(name, text));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfigValues other && present.equals(other.present);
    }

    @Override
    public int hashCode() {
        return present.hashCode();
    }

    @Override
    public String toString() {
        return present.toString();
    }
}
