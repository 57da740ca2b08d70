package dev.berth.cli;

import java.util.Locale;

/** Byte counts as people read them: {@code 512B}, {@code 1.5KiB}, {@code 64.0MiB}. */
public final class Units {

    private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private Units() {}

    public static String bytes(long bytes) {
        if (bytes < 1024) return bytes + "B";
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < BINARY.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f%s", value, BINARY[unit]);
    }
}
