package dev.berth.cluster;

/** When a change of a key takes effect in the services that read it. */
public enum Applies {
    /** At once: the services watch the key and read the new value on their next pass, request or delivery. */
    LIVE,
    /** At the next start of each service: the value is read once, to build clients or the shape of a topology. */
    RESTART;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
