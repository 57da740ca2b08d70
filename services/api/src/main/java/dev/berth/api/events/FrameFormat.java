package dev.berth.api.events;

import dev.berth.api.session.EventFanOut.Published;

/** How a stream writes one event: the text of zero or more server-sent events, with {@code id} on the last. */
@FunctionalInterface
public interface FrameFormat {

    /** The frame's text; "" sends nothing for this event. */
    String render(String id, Published record);
}
