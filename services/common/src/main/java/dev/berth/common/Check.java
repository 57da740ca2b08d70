package dev.berth.common;

/** The outcome of one health check: whether the part answers, and a line saying what was seen. */
public record Check(boolean up, String detail) {

    public static Check up(String detail) {
        return new Check(true, detail);
    }

    public static Check down(String detail) {
        return new Check(false, detail);
    }
}
