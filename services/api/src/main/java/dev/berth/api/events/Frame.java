package dev.berth.api.events;

import dev.berth.api.session.EventFanOut.Published;

/** An event to send and its id on this stream. */
record Frame(String id, Published record) {}
