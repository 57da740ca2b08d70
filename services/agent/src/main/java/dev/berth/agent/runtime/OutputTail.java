package dev.berth.agent.runtime;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The end of a kernel's output, cut to a byte budget at a line start where it can be. */
final class OutputTail {

    private OutputTail() {}

    static String of(Path file, int maxBytes) {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            int size = (int) Math.min(length, maxBytes);
            byte[] bytes = new byte[size];
            in.seek(length - size);
            in.readFully(bytes);
            return cut(bytes, size < length);
        } catch (IOException e) {
            return "";
        }
    }

    static String of(String text, int maxBytes) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) return text;
        byte[] end = new byte[maxBytes];
        System.arraycopy(bytes, bytes.length - maxBytes, end, 0, maxBytes);
        return cut(end, true);
    }

    /** When the text was cut, drop the partial first line so that no half character or line shows. */
    private static String cut(byte[] bytes, boolean truncated) {
        int from = 0;
        if (truncated) {
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == '\n') {
                    from = i + 1;
                    break;
                }
            }
        }
        return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
    }
}
