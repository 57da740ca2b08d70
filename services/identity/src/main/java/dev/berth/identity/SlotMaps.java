package dev.berth.identity;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/** Slot maps as stored (a JSON object of slot name to base units) and as Avro carries them. */
public final class SlotMaps {

    private SlotMaps() {}

    public static Map<String, Long> of(JsonObject stored) {
        Map<String, Long> slots = new LinkedHashMap<>();
        if (stored == null) return slots;
        for (Map.Entry<String, Object> slot : stored) {
            if (slot.getValue() instanceof Number amount) slots.put(slot.getKey(), amount.longValue());
        }
        return slots;
    }

    public static JsonObject json(Map<String, Long> slots) {
        JsonObject json = new JsonObject();
        slots.forEach(json::put);
        return json;
    }
}
