package dev.berth.api.session;

import dev.berth.api.problem.Findings;
import dev.berth.api.problem.ProblemException;
import dev.berth.api.resource.KnownSlots;
import dev.berth.api.webhook.UrlPolicy;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.Slots;
import dev.berth.schema.avro.ClusterMode;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.schema.avro.SessionType;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Pure checks of what clients send (SPEC API-01/03/14). Every problem names its field; a create
 * body reports all of its problems at once so a client can fix them in one round.
 */
public final class RequestValidation {

    /** API-01: 4–64 ASCII word characters, '.' and '-' allowed inside only. */
    /** Loading BerthSerdes makes Avro trust Berth's generated classes, which the spec builder needs for its enum defaults. */
    private static final Object AVRO_TRUST = BerthSerdes.KEY;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{2,62}[A-Za-z0-9_]");
    /** API-03: the original uses this name as a route segment. */
    private static final String RESERVED_NAME = "from-template";
    private static final Set<String> CREATE_FIELDS = Set.of("name", "image", "architecture", "command", "type",
            "resources", "clusterSize", "clusterMode", "scalingGroup", "environ", "callbackUrl", "tag", "preset", "project",
            "ownerAccessKey", "dependencies", "startsAt", "maxRetries", "bootstrapScript");
    private static final int MAX_RETRIES = 100;
    private static final int MAX_DEPENDENCIES = 64;
    private static final int MAX_CLUSTER_SIZE = 64;
    private static final int MAX_LIMIT = 1000;
    private static final int DEFAULT_LIMIT = 100;

    private RequestValidation() {}

    /** The request body as an object; anything else (empty, malformed, an array) is a 400. */
    public static JsonObject jsonObject(Buffer body) {
        if (body == null || body.length() == 0) throw ProblemException.invalid("the body must be a JSON object, got nothing");
        Object value;
        try {
            value = Json.decodeValue(body);
        } catch (DecodeException e) {
            throw ProblemException.invalid("the body is not valid JSON: " + e.getMessage());
        }
        if (value instanceof JsonObject object) return object;
        throw ProblemException.invalid("the body must be a JSON object");
    }

    /** The spec of a {@code POST /v1/sessions} body, with resources in base units (Slots), under the default URL policy. */
    public static SessionSpec createSpec(JsonObject body) {
        return createRequest(body).spec();
    }

    /** {@link #createRequest(JsonObject, UrlPolicy)} under the default URL policy. */
    public static CreateRequest createRequest(JsonObject body) {
        return createRequest(body, UrlPolicy.DEFAULT);
    }

    /**
     * A {@code POST /v1/sessions} body checked on its own; {@code urls} says which callbackUrl is
     * allowed. What needs the database (the owner, its project and scaling groups, the preset, the
     * image) is resolved afterwards by {@link CreatePlan}.
     */
    public static CreateRequest createRequest(JsonObject body, UrlPolicy urls) {
        Findings findings = new Findings();
        findings.unknownFields(body, CREATE_FIELDS);
        String name = name(findings, body.getValue("name"));
        String image = requiredText(findings, body, "image");
        String architecture = optionalText(findings, body, "architecture", "x86_64");
        String command = optionalText(findings, body, "command", null);
        String scalingGroup = optionalText(findings, body, "scalingGroup", null);
        String tag = optionalText(findings, body, "tag", null);
        String preset = optionalText(findings, body, "preset", null);
        String project = optionalText(findings, body, "project", null);
        String owner = optionalText(findings, body, "ownerAccessKey", null);
        String bootstrapScript = optionalText(findings, body, "bootstrapScript", null);
        SessionType type = enumValue(findings, body, "type", SessionType.class, SessionType.INTERACTIVE);
        ClusterMode clusterMode = enumValue(findings, body, "clusterMode", ClusterMode.class, ClusterMode.SINGLE_NODE);
        int clusterSize = clusterSize(findings, body.getValue("clusterSize"));
        Map<String, Long> resources = resources(findings, body.getValue("resources"));
        Map<String, String> environ = environ(findings, body.getValue("environ"));
        String callbackUrl = urls.read(findings, "callbackUrl", body.getValue("callbackUrl"));
        List<String> dependencies = dependencies(findings, body.getValue("dependencies"));
        Instant startsAt = startsAt(findings, body.getValue("startsAt"), type);
        int maxRetries = maxRetries(findings, body.getValue("maxRetries"));
        findings.throwIfAny();
        SessionSpec spec = SessionSpec.newBuilder()
                .setName(name)
                .setImage(image)
                .setArchitecture(architecture)
                .setSessionType(type)
                .setClusterMode(clusterMode)
                .setClusterSize(clusterSize)
                .setResources(resources)
                .setCommand(command)
                .setEnviron(environ)
                .setScalingGroup(scalingGroup == null ? "default" : scalingGroup)
                .setCallbackUrl(callbackUrl)
                .setTag(tag)
                .setDependencies(dependencies)
                .setStartsAt(startsAt)
                .setMaxRetries(maxRetries)
                .setBootstrapScript(bootstrapScript)
                .build();
        return new CreateRequest(spec, preset, scalingGroup, project, owner);
    }

    /** The new name of a {@code POST /v1/sessions/{id}/rename} body. */
    public static String newName(JsonObject body) {
        Findings findings = new Findings();
        findings.unknownFields(body, Set.of("name"));
        String name = name(findings, body.getValue("name"));
        findings.throwIfAny();
        return name;
    }

    /** {@code offset} of a paginated list: an integer >= 0, 0 when absent. */
    public static int offset(String raw) {
        if (raw == null || raw.isBlank()) return 0;
        try {
            int offset = Integer.parseInt(raw.trim());
            if (offset >= 0) return offset;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ProblemException.invalid("offset must be an integer >= 0, got \"" + raw + "\"");
    }

    /** A path id in canonical form; session ids are UUIDs (SES-01). */
    public static String sessionId(String raw) {
        try {
            String canonical = UUID.fromString(raw).toString();
            if (canonical.equalsIgnoreCase(raw)) return canonical;
        } catch (IllegalArgumentException e) {
            // reported below, with the value
        }
        throw ProblemException.invalid("the session id must be a UUID, got \"" + raw + "\"");
    }

    /** {@code status=RUNNING,PENDING}; absent means every status. */
    public static Set<SessionStatus> statusFilter(String raw) {
        if (raw == null || raw.isBlank()) return EnumSet.allOf(SessionStatus.class);
        Set<SessionStatus> statuses = EnumSet.noneOf(SessionStatus.class);
        for (String part : raw.split(",")) {
            String name = part.trim().toUpperCase(Locale.ROOT);
            try {
                statuses.add(SessionStatus.valueOf(name));
            } catch (IllegalArgumentException e) {
                throw ProblemException.invalid("status has an unknown name \"" + part.trim() + "\"; known: "
                        + Arrays.toString(SessionStatus.values()));
            }
        }
        return statuses;
    }

    public static int limit(String raw) {
        if (raw == null || raw.isBlank()) return DEFAULT_LIMIT;
        try {
            int limit = Integer.parseInt(raw.trim());
            if (limit >= 1 && limit <= MAX_LIMIT) return limit;
        } catch (NumberFormatException e) {
            // reported below, with the value
        }
        throw ProblemException.invalid("limit must be an integer in 1.." + MAX_LIMIT + ", got \"" + raw + "\"");
    }

    /** API-12: {@code forced} is a boolean, false when absent. */
    public static boolean forced(String raw) {
        if (raw == null || raw.isBlank()) return false;
        return switch (raw.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ProblemException.invalid("forced must be true or false, got \"" + raw + "\"");
        };
    }

    private static String name(Findings findings, Object value) {
        if (value == null) return findings.add("name", "is required");
        if (!(value instanceof String name)) return findings.add("name", "must be a string");
        if (!NAME.matcher(name).matches()) {
            return findings.add("name", "must be 4 to 64 ASCII letters, digits, '_', '.' or '-', starting and ending"
                    + " with a letter, digit or '_', got \"" + name + "\"");
        }
        if (name.equals(RESERVED_NAME)) return findings.add("name", "\"" + RESERVED_NAME + "\" is reserved");
        return name;
    }

    private static String requiredText(Findings findings, JsonObject body, String field) {
        Object value = body.getValue(field);
        if (value == null) return findings.add(field, "is required");
        return text(findings, field, value);
    }

    private static String optionalText(Findings findings, JsonObject body, String field, String fallback) {
        Object value = body.getValue(field);
        return value == null ? fallback : text(findings, field, value);
    }

    private static String text(Findings findings, String field, Object value) {
        if (!(value instanceof String text)) return findings.add(field, "must be a string");
        if (text.isBlank()) return findings.add(field, "must not be blank");
        return text;
    }

    /** API values are the enum names in lower case with '-' for '_' ({@code multi-node}). */
    private static <E extends Enum<E>> E enumValue(Findings findings, JsonObject body, String field, Class<E> type, E fallback) {
        Object value = body.getValue(field);
        if (value == null) return fallback;
        for (E constant : type.getEnumConstants()) {
            if (apiName(constant).equals(value)) return constant;
        }
        String allowed = Arrays.stream(type.getEnumConstants()).map(RequestValidation::apiName).collect(Collectors.joining(", "));
        findings.add(field, "must be one of " + allowed + ", got " + Json.encode(value));
        return fallback;
    }

    public static String apiName(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static int clusterSize(Findings findings, Object value) {
        if (value == null) return 1;
        if ((value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= 1
                && ((Number) value).longValue() <= MAX_CLUSTER_SIZE) {
            return ((Number) value).intValue();
        }
        findings.add("clusterSize", "must be an integer in 1.." + MAX_CLUSTER_SIZE + ", got " + Json.encode(value));
        return 1;
    }

    /** Slots given in the body; cpu and mem may also come from a preset or the image (API-08), which CreatePlan checks. */
    private static Map<String, Long> resources(Findings findings, Object value) {
        Map<String, Long> slots = new LinkedHashMap<>();
        if (value == null) return slots;
        if (!(value instanceof JsonObject given)) {
            findings.add("resources", "must be an object of slot name to amount");
            return slots;
        }
        for (Map.Entry<String, Object> slot : given) {
            String field = "resources." + slot.getKey();
            if (slot.getKey().isBlank()) {
                findings.add("resources", "has a blank slot name");
                continue;
            }
            if (!KnownSlots.contains(slot.getKey())) {
                findings.add(field, "is not a known slot; known: " + KnownSlots.list());
                continue;
            }
            try {
                slots.put(slot.getKey(), Slots.parse(slot.getKey(), slot.getValue()));
            } catch (IllegalArgumentException e) {
                findings.add(field, e.getMessage());
            }
        }
        for (String required : List.of(Slots.CPU, Slots.MEM)) {
            Long amount = slots.get(required);
            if (amount != null && amount == 0) findings.add("resources." + required, "must be greater than 0");
        }
        return slots;
    }

    /** Session ids (SES-25); that they name sessions the caller may see is checked against the view. */
    private static List<String> dependencies(Findings findings, Object value) {
        List<String> ids = new ArrayList<>();
        if (value == null) return ids;
        if (!(value instanceof JsonArray given)) return findings.add("dependencies", "must be a list of session ids");
        if (given.size() > MAX_DEPENDENCIES) return findings.add("dependencies", "may name at most " + MAX_DEPENDENCIES + " sessions");
        for (int i = 0; i < given.size(); i++) {
            Object id = given.getValue(i);
            try {
                String canonical = UUID.fromString(String.valueOf(id)).toString();
                if (!(id instanceof String) || !canonical.equalsIgnoreCase((String) id)) throw new IllegalArgumentException();
                if (!ids.contains(canonical)) ids.add(canonical);
            } catch (IllegalArgumentException e) {
                findings.add("dependencies[" + i + "]", "must be a session id (UUID), got " + Json.encode(id));
            }
        }
        return ids;
    }

    /** SCH-06: when a batch session may start, ISO-8601 with an offset. */
    private static Instant startsAt(Findings findings, Object value, SessionType type) {
        if (value == null) return null;
        if (!(value instanceof String text)) return findings.add("startsAt", "must be an ISO-8601 time with an offset, such as 2026-12-01T08:00:00Z");
        if (type != SessionType.BATCH) return findings.add("startsAt", "is only for batch sessions");
        try {
            return OffsetDateTime.parse(text.trim()).toInstant();
        } catch (DateTimeParseException e) {
            return findings.add("startsAt", "must be an ISO-8601 time with an offset, such as 2026-12-01T08:00:00Z, got \"" + text + "\"");
        }
    }

    private static int maxRetries(Findings findings, Object value) {
        if (value == null) return 0;
        if ((value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= 0 && ((Number) value).longValue() <= MAX_RETRIES) {
            return ((Number) value).intValue();
        }
        findings.add("maxRetries", "must be an integer in 0.." + MAX_RETRIES + ", got " + Json.encode(value));
        return 0;
    }

    private static Map<String, String> environ(Findings findings, Object value) {
        Map<String, String> environ = new LinkedHashMap<>();
        if (value == null) return environ;
        if (!(value instanceof JsonObject given)) {
            findings.add("environ", "must be an object of variable name to string value");
            return environ;
        }
        for (Map.Entry<String, Object> variable : given) {
            if (variable.getKey().isBlank()) findings.add("environ", "has a blank variable name");
            else if (variable.getValue() instanceof String text) environ.put(variable.getKey(), text);
            else findings.add("environ." + variable.getKey(), "must be a string");
        }
        return environ;
    }
}
