package dev.berth.cluster;

/** A value refused for one key: the key and what is wrong with it. */
public record Problem(String key, String message) {

    @Override
    public String toString() {
        return key + ": " + message;
    }
}
