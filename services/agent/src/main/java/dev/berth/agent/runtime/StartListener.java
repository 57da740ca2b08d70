package dev.berth.agent.runtime;

/** What a runtime tells about a start while it is under way. */
public interface StartListener {

    StartListener NONE = image -> {};

    /** The image is not on this machine and is being pulled. */
    void pulling(String image);
}
