package dev.berth.cli.sse;

/**
 * One dispatched server-sent event.
 *
 * @param id    the stream's last event id when it was dispatched (what a reconnect resumes after), or null
 * @param event its name, "message" when the server gave none
 * @param data  its data lines, joined with \n
 */
public record SseFrame(String id, String event, String data) {}
