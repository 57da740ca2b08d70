package dev.berth.api.compat;

import dev.berth.api.problem.Findings;
import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parameters of the original {@code POST /session} (API-01/02) as a {@code POST /v1/sessions}
 * body: each alias to Berth's field, {@code config.*} to the root, relative {@code starts_at} to a
 * time. A pure function; what it cannot say alone (dependency names, the owner's domain, reuse and
 * waiting) it hands on. Keys it does not know are ignored and a null value counts as absent, as the
 * original's clients send every key they know, most of them null.
 *
 * @param body           the native create body, without dependencies
 * @param fieldNames     each native field to the key the client used for it, to name it in problems
 * @param dependencies   session ids or names, as given
 * @param domain         the domain the client named, or null
 * @param reuseIfExists  API-07: answer with a live session of that name instead of creating one
 * @param enqueueOnly    answer once the session is queued, whatever maxWaitSeconds says
 * @param maxWaitSeconds how long to wait for the session to start before answering (0: do not)
 */
public record CreateParams(JsonObject body, Map<String, String> fieldNames, List<String> dependencies, String domain,
                           boolean reuseIfExists, boolean enqueueOnly, int maxWaitSeconds) {

    /** A Berth field and the original's keys for it, the first one given wins. */
    private record Alias(String field, List<String> keys) {}

    private static final List<Alias> ROOT = List.of(
            new Alias("name", List.of("name", "clientSessionToken", "session_name")),
            new Alias("image", List.of("image", "lang")),
            new Alias("architecture", List.of("arch", "architecture")),
            new Alias("type", List.of("type", "sessionType", "session_type")),
            new Alias("project", List.of("group", "groupName", "group_name")),
            new Alias("clusterSize", List.of("cluster_size", "clusterSize")),
            new Alias("clusterMode", List.of("cluster_mode", "clusterMode")),
            new Alias("scalingGroup", List.of("scaling_group", "scalingGroup")),
            new Alias("tag", List.of("tag")),
            new Alias("command", List.of("startupCommand", "startup_command")),
            new Alias("bootstrapScript", List.of("bootstrap_script", "bootstrapScript")),
            new Alias("callbackUrl", List.of("callback_url", "callbackUrl", "callbackURL")),
            new Alias("ownerAccessKey", List.of("owner_access_key", "ownerAccessKey")));
    /** API-02: config keys; cluster_size there is the v3/v4 schema's. */
    private static final List<Alias> CONFIG = List.of(
            new Alias("resources", List.of("resources")),
            new Alias("scalingGroup", List.of("scaling_group", "scalingGroup")),
            new Alias("environ", List.of("environ")),
            new Alias("clusterSize", List.of("cluster_size", "clusterSize")));
    /** Original features Berth does not have: refused when given a value, so that nothing is dropped silently. */
    private static final Map<String, String> MISSING_FEATURES = Map.of(
            "mounts", "virtual folders", "mount_map", "virtual folders", "mountMap", "virtual folders",
            "preopen_ports", "pre-opened service ports", "preopenPorts", "pre-opened service ports",
            "agent_list", "manual agent assignment", "agentList", "manual agent assignment");
    /** How problems name a field the client did not send: by the original's own key. */
    private static final Map<String, String> CANONICAL = Map.ofEntries(
            Map.entry("name", "name"), Map.entry("image", "image"), Map.entry("architecture", "architecture"), Map.entry("type", "type"),
            Map.entry("project", "group"), Map.entry("clusterSize", "cluster_size"), Map.entry("clusterMode", "cluster_mode"),
            Map.entry("scalingGroup", "config.scaling_group"), Map.entry("resources", "config.resources"),
            Map.entry("environ", "config.environ"), Map.entry("tag", "tag"), Map.entry("command", "startupCommand"),
            Map.entry("bootstrapScript", "bootstrap_script"), Map.entry("callbackUrl", "callback_url"),
            Map.entry("ownerAccessKey", "owner_access_key"), Map.entry("startsAt", "starts_at"), Map.entry("dependencies", "dependencies"));
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(w|d|h|m|s)");
    private static final String RESERVED_NAME = "from-template";

    /**
     * @param now the time a relative {@code starts_at} ("1h", "30m") counts from
     * @throws ProblemException invalid-api-params naming the client's keys, or not-implemented-api for a missing feature
     */
    public static CreateParams of(JsonObject params, Instant now) {
        Findings findings = new Findings();
        JsonObject body = new JsonObject();
        Map<String, String> names = new LinkedHashMap<>(CANONICAL);
        JsonObject config = object(findings, params, "config");
        for (Alias alias : ROOT) copy(params, "", alias, body, names);
        for (Alias alias : CONFIG) {
            if (!body.containsKey(alias.field())) copy(config, "config.", alias, body, names);
        }
        for (Map.Entry<String, String> missing : MISSING_FEATURES.entrySet()) {
            if (given(config.getValue(missing.getKey()))) {
                throw new ProblemException(ProblemKind.NOT_IMPLEMENTED_API, "config." + missing.getKey() + ": Berth has no "
                        + missing.getValue() + "; leave it out or empty");
            }
        }
        // API-03: the original routes create-from-template there, so the name cannot be a session's
        if (RESERVED_NAME.equals(body.getValue("name"))) findings.add(names.get("name"), "\"" + RESERVED_NAME + "\" is reserved");
        startsAt(findings, params, body, names, now);
        List<String> dependencies = dependencies(findings, params.getValue("dependencies"));
        String domain = text(findings, params, List.of("domain", "domainName", "domain_name"));
        boolean reuse = flag(findings, params, List.of("reuseIfExists", "reuse_if_exists"), true);
        boolean enqueueOnly = flag(findings, params, List.of("enqueueOnly", "enqueue_only"), false);
        int maxWait = maxWaitSeconds(findings, params);
        findings.throwIfAny();
        return new CreateParams(body, Map.copyOf(names), dependencies, domain, reuse, enqueueOnly, maxWait);
    }

    /** The native body with the dependencies resolved to session ids. */
    public JsonObject bodyWith(List<String> dependencyIds) {
        JsonObject copy = body.copy();
        if (!dependencyIds.isEmpty()) copy.put("dependencies", new JsonArray(dependencyIds));
        return copy;
    }

    /** The session name asked for, or null (the native check then says it is required). */
    public String name() {
        return body.getValue("name") instanceof String name ? name : null;
    }

    private static void copy(JsonObject from, String prefix, Alias alias, JsonObject body, Map<String, String> names) {
        for (String key : alias.keys()) {
            Object value = from.getValue(key);
            if (value != null) {
                body.put(alias.field(), value);
                names.put(alias.field(), prefix + key);
                return;
            }
        }
    }

    private static boolean given(Object value) {
        if (value == null) return false;
        if (value instanceof JsonArray list) return !list.isEmpty();
        if (value instanceof JsonObject map) return !map.isEmpty();
        return !(value instanceof String text) || !text.isEmpty();
    }

    private static JsonObject object(Findings findings, JsonObject params, String key) {
        Object value = params.getValue(key);
        if (value == null) return new JsonObject();
        if (value instanceof JsonObject object) return object;
        findings.add(key, "must be an object");
        return new JsonObject();
    }

    /** The original takes ISO-8601 (without an offset: UTC) or a duration from now such as "1h30m". */
    private static void startsAt(Findings findings, JsonObject params, JsonObject body, Map<String, String> names, Instant now) {
        for (String key : List.of("starts_at", "startsAt")) {
            Object value = params.getValue(key);
            if (value == null) continue;
            names.put("startsAt", key);
            Instant at = startTime(value, now);
            if (at == null) {
                findings.add(key, "must be an ISO-8601 time or a duration from now such as \"1h\" or \"30m\", got " + Json.encode(value));
            } else {
                body.put("startsAt", at.toString());
            }
            return;
        }
    }

    static Instant startTime(Object value, Instant now) {
        if (!(value instanceof String text) || text.isBlank()) return null;
        String trimmed = text.trim();
        try {
            return OffsetDateTime.parse(trimmed).toInstant();
        } catch (DateTimeParseException e) {
            // maybe without an offset, or a duration
        }
        try {
            return LocalDateTime.parse(trimmed).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            // maybe a duration
        }
        Matcher parts = DURATION.matcher(trimmed);
        Duration total = Duration.ZERO;
        int end = 0;
        while (parts.find() && parts.start() == end) {
            double amount = Double.parseDouble(parts.group(1));
            long unit = switch (parts.group(2)) {
                case "w" -> 7 * 86_400_000L;
                case "d" -> 86_400_000L;
                case "h" -> 3_600_000L;
                case "m" -> 60_000L;
                default -> 1_000L;
            };
            total = total.plusMillis(Math.round(amount * unit));
            end = parts.end();
        }
        return end == trimmed.length() && end > 0 ? now.plus(total) : null;
    }

    private static List<String> dependencies(Findings findings, Object value) {
        List<String> refs = new ArrayList<>();
        if (value == null) return refs;
        if (!(value instanceof JsonArray list)) return findings.add("dependencies", "must be a list of session ids or names");
        for (int i = 0; i < list.size(); i++) {
            if (list.getValue(i) instanceof String ref && !ref.isBlank()) refs.add(ref.trim());
            else findings.add("dependencies[" + i + "]", "must be a session id or name");
        }
        return refs;
    }

    private static String text(Findings findings, JsonObject params, List<String> keys) {
        for (String key : keys) {
            Object value = params.getValue(key);
            if (value == null) continue;
            if (value instanceof String text && !text.isBlank()) return text;
            return findings.add(key, "must be a non-blank string");
        }
        return null;
    }

    private static boolean flag(Findings findings, JsonObject params, List<String> keys, boolean fallback) {
        for (String key : keys) {
            Object value = params.getValue(key);
            if (value == null) continue;
            if (value instanceof Boolean flag) return flag;
            // the original's trafaret takes the strings its form-encoded clients send, too
            if (value instanceof String text && (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false"))) return Boolean.parseBoolean(text);
            findings.add(key, "must be true or false");
            return fallback;
        }
        return fallback;
    }

    private static int maxWaitSeconds(Findings findings, JsonObject params) {
        for (String key : List.of("maxWaitSeconds", "max_wait_seconds")) {
            Object value = params.getValue(key);
            if (value == null) continue;
            if ((value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= 0
                    && ((Number) value).longValue() <= Integer.MAX_VALUE) {
                return ((Number) value).intValue();
            }
            findings.add(key, "must be an integer >= 0");
            return 0;
        }
        return 0;
    }
}
