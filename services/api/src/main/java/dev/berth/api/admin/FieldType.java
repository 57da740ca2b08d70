package dev.berth.api.admin;

import dev.berth.api.resource.KnownSlots;
import dev.berth.schema.Slots;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

/** How an admin field's JSON value is checked and stored, and how a stored value is shown. */
sealed interface FieldType {

    /** The SQL parameter for a JSON value; a problem goes to {@code errors} (then null). */
    Object toSql(String field, Object value, Errors errors);

    /** The JSON value of the column. */
    Object toJson(Row row, String column);

    /** A list filter's value from the query string; only simple types filter. */
    default Object fromQuery(String field, String raw, Errors errors) {
        return errors.add(field, "cannot be used as a filter");
    }

    /** Free or patterned text of at most {@code max} characters. */
    record Text(int max, Pattern pattern, String shape) implements FieldType {
        static Text any(int max) {
            return new Text(max, null, null);
        }

        public Object toSql(String field, Object value, Errors errors) {
            if (!(value instanceof String text)) return errors.add(field, "must be a string");
            if (text.length() > max) return errors.add(field, "must be at most " + max + " characters");
            if (pattern != null && !pattern.matcher(text).matches()) return errors.add(field, "must be " + shape + ", got \"" + text + "\"");
            return text;
        }

        public Object toJson(Row row, String column) {
            return row.getString(column);
        }

        @Override
        public Object fromQuery(String field, String raw, Errors errors) {
            return toSql(field, raw, errors);
        }
    }

    record Bool() implements FieldType {
        public Object toSql(String field, Object value, Errors errors) {
            return value instanceof Boolean bool ? bool : errors.add(field, "must be true or false");
        }

        public Object toJson(Row row, String column) {
            return row.getBoolean(column);
        }

        @Override
        public Object fromQuery(String field, String raw, Errors errors) {
            return switch (raw) {
                case "true" -> true;
                case "false" -> false;
                default -> errors.add(field, "must be true or false, got \"" + raw + "\"");
            };
        }
    }

    /** A whole number in [min, max]; {@code wide} stores it as bigint. */
    record Whole(long min, long max, boolean wide) implements FieldType {
        public Object toSql(String field, Object value, Errors errors) {
            if ((value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= min && ((Number) value).longValue() <= max) {
                return wide ? (Object) ((Number) value).longValue() : (Object) ((Number) value).intValue();
            }
            return errors.add(field, "must be an integer in " + min + ".." + max + ", got " + Json.encode(value));
        }

        public Object toJson(Row row, String column) {
            return wide ? row.getLong(column) : row.getInteger(column);
        }
    }

    /** One of a fixed set of lower-case words (stored as given in {@code stored}'s case). */
    record Choice(List<String> values, boolean upperCaseStored) implements FieldType {
        public Object toSql(String field, Object value, Errors errors) {
            if (value instanceof String text && values.contains(text.toLowerCase(Locale.ROOT)) && text.equals(text.toLowerCase(Locale.ROOT))) {
                return upperCaseStored ? text.toUpperCase(Locale.ROOT) : text;
            }
            return errors.add(field, "must be one of " + String.join(", ", values) + ", got " + Json.encode(value));
        }

        public Object toJson(Row row, String column) {
            String stored = row.getString(column);
            return stored == null ? null : stored.toLowerCase(Locale.ROOT);
        }

        @Override
        public Object fromQuery(String field, String raw, Errors errors) {
            return toSql(field, raw, errors);
        }
    }

    record Uuid() implements FieldType {
        public Object toSql(String field, Object value, Errors errors) {
            try {
                if (value instanceof String text && UUID.fromString(text).toString().equalsIgnoreCase(text)) return UUID.fromString(text);
            } catch (IllegalArgumentException e) {
                // reported below
            }
            return errors.add(field, "must be a UUID, got " + Json.encode(value));
        }

        public Object toJson(Row row, String column) {
            UUID id = row.getUUID(column);
            return id == null ? null : id.toString();
        }

        @Override
        public Object fromQuery(String field, String raw, Errors errors) {
            return toSql(field, raw, errors);
        }
    }

    /**
     * RES-01: a map of known slot name to a non-negative amount in user units (cpu 1.5, mem "4g"),
     * stored in base units.
     */
    record SlotMap() implements FieldType {
        public Object toSql(String field, Object value, Errors errors) {
            if (!(value instanceof JsonObject given)) return errors.add(field, "must be an object of slot name to amount");
            JsonObject stored = new JsonObject();
            for (Map.Entry<String, Object> slot : given) {
                String name = field + "." + slot.getKey();
                if (!KnownSlots.contains(slot.getKey())) {
                    errors.add(name, "is not a known slot; known: " + KnownSlots.list());
                    continue;
                }
                try {
                    stored.put(slot.getKey(), Slots.parse(slot.getKey(), slot.getValue()));
                } catch (IllegalArgumentException e) {
                    errors.add(name, e.getMessage());
                }
            }
            return stored;
        }

        public Object toJson(Row row, String column) {
            JsonObject stored = (JsonObject) row.getJson(column);
            JsonObject shown = new JsonObject();
            Slots.present(dev.berth.identity.SlotMaps.of(stored)).forEach((slot, amount) -> shown.put(slot,
                    amount instanceof BigDecimal decimal ? new BigDecimal(decimal.toPlainString()) : amount));
            return shown;
        }
    }

    /** A byte size such as "64m" or 67108864, stored as bigint bytes. */
    record Bytes() implements FieldType {
        public Object toSql(String field, Object value, Errors errors) {
            try {
                return Slots.parse(Slots.MEM, value);
            } catch (IllegalArgumentException e) {
                return errors.add(field, e.getMessage());
            }
        }

        public Object toJson(Row row, String column) {
            return row.getLong(column);
        }
    }

    /** An object of at most {@code maxEntries} string to string (image labels), keys and values bounded. */
    record StringMap(int maxEntries, int maxKey, int maxValue) implements FieldType {
        public Object toSql(String field, Object value, Errors errors) {
            if (!(value instanceof JsonObject given)) return errors.add(field, "must be an object of string to string");
            if (given.size() > maxEntries) return errors.add(field, "must have at most " + maxEntries + " entries, got " + given.size());
            for (Map.Entry<String, Object> entry : given) {
                String name = field + "." + entry.getKey();
                if (entry.getKey().length() > maxKey) errors.add(field, "keys must be at most " + maxKey + " characters, got one of " + entry.getKey().length());
                else if (!(entry.getValue() instanceof String text)) errors.add(name, "must be a string");
                else if (text.length() > maxValue) errors.add(name, "must be at most " + maxValue + " characters");
            }
            return given;
        }

        public Object toJson(Row row, String column) {
            return row.getJson(column);
        }
    }

    /** A non-empty list of short words (image architectures). */
    record Words(int maxItems) implements FieldType {
        private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_.-]{1,32}");

        public Object toSql(String field, Object value, Errors errors) {
            if (!(value instanceof JsonArray given) || given.isEmpty() || given.size() > maxItems) {
                return errors.add(field, "must be a list of 1.." + maxItems + " words");
            }
            String[] words = new String[given.size()];
            for (int i = 0; i < given.size(); i++) {
                if (!(given.getValue(i) instanceof String word) || !WORD.matcher(word).matches()) return errors.add(field + "[" + i + "]", "must be a word such as x86_64");
                words[i] = word;
            }
            return words;
        }

        public Object toJson(Row row, String column) {
            return new JsonArray(Arrays.asList(row.getArrayOfStrings(column)));
        }
    }

    /**
     * RES-07 scheduler options: {@code allowedSessionTypes} (non-empty), {@code pendingTimeout}
     * (seconds ≥ 0), {@code config} (string values); stored with the original's snake-case keys.
     */
    record SchedulerOpts() implements FieldType {
        private static final List<String> TYPES = List.of("interactive", "batch", "inference");
        private static final Set<String> KEYS = Set.of("allowedSessionTypes", "pendingTimeout", "config");
        private static final int MAX_OPTION_NAME = 64;
        private static final int MAX_OPTION_VALUE = 1000;

        public Object toSql(String field, Object value, Errors errors) {
            if (!(value instanceof JsonObject given)) return errors.add(field, "must be an object");
            for (String key : given.fieldNames()) {
                if (!KEYS.contains(key)) errors.add(field + "." + key, "is not a scheduler option; known: " + new TreeSet<>(KEYS));
            }
            JsonArray types = new JsonArray();
            Object asked = given.getValue("allowedSessionTypes", new JsonArray(TYPES));
            if (!(asked instanceof JsonArray list) || list.isEmpty()) {
                errors.add(field + ".allowedSessionTypes", "must be a non-empty list of " + TYPES);
            } else {
                for (Object type : list) {
                    if (!TYPES.contains(type)) errors.add(field + ".allowedSessionTypes", "has an unknown type " + Json.encode(type) + "; known: " + TYPES);
                    else if (!types.contains(type)) types.add(type);
                }
            }
            Object timeout = given.getValue("pendingTimeout", 0);
            if (!(timeout instanceof Number number) || number.doubleValue() < 0) {
                errors.add(field + ".pendingTimeout", "must be a number of seconds >= 0 (0 = never), got " + Json.encode(timeout));
                timeout = 0;
            }
            Object config = given.getValue("config", new JsonObject());
            JsonObject options = new JsonObject();
            if (!(config instanceof JsonObject map)) {
                errors.add(field + ".config", "must be an object of option name to value");
            } else {
                // primitive values are kept as their text (the original converts them on update)
                map.forEach(option -> {
                    String name = field + ".config." + option.getKey();
                    if (option.getKey().length() > MAX_OPTION_NAME) {
                        errors.add(field + ".config", "option names must be at most " + MAX_OPTION_NAME + " characters");
                    } else if (option.getValue() instanceof JsonObject || option.getValue() instanceof JsonArray || option.getValue() == null) {
                        errors.add(name, "must be a string, number or boolean");
                    } else if (String.valueOf(option.getValue()).length() > MAX_OPTION_VALUE) {
                        errors.add(name, "must be at most " + MAX_OPTION_VALUE + " characters");
                    } else {
                        options.put(option.getKey(), String.valueOf(option.getValue()));
                    }
                });
            }
            return new JsonObject().put("allowed_session_types", types).put("pending_timeout", timeout).put("config", options);
        }

        public Object toJson(Row row, String column) {
            JsonObject stored = (JsonObject) row.getJson(column);
            return new JsonObject()
                    .put("allowedSessionTypes", stored.getJsonArray("allowed_session_types"))
                    .put("pendingTimeout", stored.getValue("pending_timeout"))
                    .put("config", stored.getJsonObject("config"));
        }
    }
}
