package dev.berth.cluster;

import java.util.Objects;
import java.util.Optional;

/**
 * One setting of the shared configuration. A name with one {@code *} is a family of keys, one per
 * scaling group or metric (e.g. {@code scheduler.group.*.policy}); the {@code *} stands for a
 * non-empty part without '/', '=' or whitespace.
 *
 * @param name         the key under the configuration's etcd prefix, e.g. {@code api.rate-window}
 * @param type         parses and formats its text
 * @param defaultValue what applies while etcd has no value; empty for a family, whose members
 *                     inherit from another key when absent
 * @param doc          one sentence for GET, the CLI and docs/configuration.md
 * @param applies      live, or at the next start of the services that read it
 * @param env          the BERTH_* variable that seeds it on a first start, if any
 */
public record ConfigKey<T>(String name, ValueType<T> type, Optional<T> defaultValue, String doc, Applies applies, Optional<String> env) {

    public ConfigKey {
        Objects.requireNonNull(type, "type");
        if (name.chars().filter(c -> c == '*').count() > 1) throw new IllegalArgumentException("at most one * in " + name);
        if (!name.contains("*") && defaultValue.isEmpty()) throw new IllegalArgumentException(name + " needs a default");
    }

    public boolean isFamily() {
        return name.contains("*");
    }

    /** Whether {@code key} is this key, or a member of this family. */
    public boolean matches(String key) {
        if (!isFamily()) return name.equals(key);
        int star = name.indexOf('*');
        String before = name.substring(0, star);
        String after = name.substring(star + 1);
        if (key.length() <= before.length() + after.length() || !key.startsWith(before) || !key.endsWith(after)) return false;
        String member = key.substring(before.length(), key.length() - after.length());
        return member.chars().noneMatch(c -> c == '/' || c == '=' || Character.isWhitespace(c));
    }

    /** The part of {@code key} that the {@code *} stands for (a scaling group's or metric's name). */
    public String member(String key) {
        int star = name.indexOf('*');
        return key.substring(star, key.length() - (name.length() - star - 1));
    }

    /** This family's key for {@code member}. */
    public String keyFor(String member) {
        return name.replace("*", member);
    }

    public String formatDefault() {
        return defaultValue.map(type::format).orElse(null);
    }
}
