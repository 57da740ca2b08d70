package dev.berth.topology.placement;

/**
 * A session a pass picked but could not place (SCH-16 InstanceNotAvailable); it stays pending.
 *
 * @param reason a sentence for the user, in the words of ERR-05
 */
public record Unplaceable(String sessionId, String reason) {

    static Unplaceable noFreshAgent(PendingSession session) {
        return new Unplaceable(session.sessionId(), "No schedulable agent with a fresh heartbeat");
    }

    static Unplaceable noArchitecture(PendingSession session) {
        return new Unplaceable(session.sessionId(),
                "No agents found compatible with image architecture (" + session.architecture() + ")");
    }

    static Unplaceable noRoom(PendingSession session) {
        return new Unplaceable(session.sessionId(),
                "Could not find a contiguous resource region in any agent big enough to host the session ("
                        + session.sessionId() + ")");
    }
}
