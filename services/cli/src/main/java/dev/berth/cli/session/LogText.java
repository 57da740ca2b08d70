package dev.berth.cli.session;

import java.util.Arrays;
import java.util.List;

/**
 * What {@code logs -f} prints of each read. The API answers with the main kernel's last 64 KiB of
 * output every time, so what is new is what follows the longest end of the previous read that
 * the new one starts with. Once the window slides over identical lines, a repeat can hide in the
 * overlap: the API has no offsets to tell them apart.
 */
final class LogText {

    private LogText() {}

    static String fresh(String before, String now) {
        if (now.startsWith(before)) return now.substring(before.length());
        return now.substring(overlap(before, now));
    }

    /** The length of the longest start of {@code now} that {@code before} ends with (Knuth–Morris–Pratt, linear). */
    static int overlap(String before, String now) {
        int[] fallback = prefixFunction(now);
        int matched = 0;
        for (int i = 0; i < before.length(); i++) {
            char c = before.charAt(i);
            while (matched > 0 && (matched == now.length() || now.charAt(matched) != c)) matched = fallback[matched - 1];
            if (matched < now.length() && now.charAt(matched) == c) matched++;
        }
        return matched;
    }

    /** The last {@code lines} lines of a text, with their line ends; all of it for null. */
    static String tail(String text, Integer lines) {
        if (lines == null || text.isEmpty()) return text;
        List<String> all = Arrays.asList(text.split("(?<=\n)"));
        return String.join("", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** For each prefix of {@code text}, the length of its longest proper prefix that is also its suffix. */
    private static int[] prefixFunction(String text) {
        int[] fallback = new int[text.length()];
        for (int i = 1; i < text.length(); i++) {
            int k = fallback[i - 1];
            while (k > 0 && text.charAt(i) != text.charAt(k)) k = fallback[k - 1];
            if (text.charAt(i) == text.charAt(k)) k++;
            fallback[i] = k;
        }
        return fallback;
    }
}
