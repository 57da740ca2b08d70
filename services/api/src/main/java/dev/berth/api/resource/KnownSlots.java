package dev.berth.api.resource;

import java.util.Set;
import java.util.TreeSet;

/**
 * RES-01: the slot types Berth knows. Policies, presets, images and session requests may name only
 * these (API-08: other keys are invalid-api-params), so a typo never becomes a silent zero.
 */
public final class KnownSlots {

    private static final Set<String> NAMES = Set.of("cpu", "mem", "cuda.device", "cuda.shares", "rocm.device", "tpu.device",
            "ipu.device", "atom.device", "warboy.device", "hyperaccel-lpu.device");

    private KnownSlots() {}

    public static boolean contains(String slot) {
        return NAMES.contains(slot);
    }

    public static Set<String> names() {
        return NAMES;
    }

    /** For error messages, sorted. */
    public static String list() {
        return new TreeSet<>(NAMES).toString();
    }
}
