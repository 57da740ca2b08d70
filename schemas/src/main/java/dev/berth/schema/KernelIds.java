package dev.berth.schema;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Kernel ids follow from the session id, so every stage derives the same ids without asking. */
public final class KernelIds {

    private KernelIds() {}

    /** The id of the kernel at 0-based position {@code index} (0 is the main kernel). */
    public static String of(String sessionId, int index) {
        return UUID.nameUUIDFromBytes((sessionId + "/" + index).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** SES-04: the main kernel is {@code main1}, the others {@code sub1}, {@code sub2}, ... */
    public static String role(int index) {
        return index == 0 ? "main" : "sub";
    }

    public static int clusterIdx(int index) {
        return index == 0 ? 1 : index;
    }

    public static String hostname(int index) {
        return role(index) + clusterIdx(index);
    }
}
