package dev.berth.schema;

import java.time.Duration;
import java.util.List;

/**
 * The topic catalogue: every topic Berth reads or writes, with the shape it is created with.
 *
 * <p>All keyed topics share one partition count so that the streams joining them are
 * co-partitioned. A prefix lets tests and several stacks share one cluster.
 */
public final class Topics {

    /** How one topic is created. */
    public record Spec(String name, int partitions, boolean compacted, Duration retention, String doc) {
        public Spec {
            if (partitions < 1) throw new IllegalArgumentException("partitions must be >= 1 for " + name);
        }
    }

    public static final int DEFAULT_PARTITIONS = 4;
    private static final Duration WEEK = Duration.ofDays(7);

    public final Spec sessionRequests;
    public final Spec sessionAdmitted;
    public final Spec sessionPlacements;
    public final Spec sessionEvents;
    public final Spec agentHeartbeats;
    public final Spec agentCommands;
    public final Spec kernelEvents;
    public final Spec deadLetters;
    private final String prefix;

    private Topics(String prefix, int partitions) {
        this.prefix = prefix;
        sessionRequests = new Spec(prefix + "session.requests", partitions, false, WEEK,
                "SessionRequest keyed by session id: create, destroy, rename");
        sessionAdmitted = new Spec(prefix + "session.admitted", partitions, false, WEEK,
                "SessionAdmitted keyed by scaling group: sessions waiting for placement");
        sessionPlacements = new Spec(prefix + "session.placements", partitions, false, WEEK,
                "SessionPlaced keyed by session id: which agent runs which kernel");
        sessionEvents = new Spec(prefix + "session.events", partitions, false, Duration.ofDays(30),
                "SessionEvent keyed by session id: every lifecycle change with the session after it");
        agentHeartbeats = new Spec(prefix + "agent.heartbeats", partitions, false, Duration.ofHours(6),
                "AgentHeartbeat keyed by agent id");
        agentCommands = new Spec(prefix + "agent.commands", partitions, false, WEEK,
                "AgentCommand keyed by agent id: create and destroy kernels");
        kernelEvents = new Spec(prefix + "kernel.events", partitions, false, WEEK,
                "KernelEvent keyed by session id: what agents saw happen to kernels");
        deadLetters = new Spec(prefix + "dead-letters", 1, false, Duration.ofDays(30),
                "Records that could not be decoded or processed, with the reason in headers");
    }

    public static Topics withPrefix(String prefix) {
        return new Topics(prefix, DEFAULT_PARTITIONS);
    }

    public static Topics withPrefix(String prefix, int partitions) {
        return new Topics(prefix, partitions);
    }

    /** The prefix all names share; Streams application ids are derived from it too. */
    public String prefix() {
        return prefix;
    }

    public List<Spec> all() {
        return List.of(sessionRequests, sessionAdmitted, sessionPlacements, sessionEvents,
                agentHeartbeats, agentCommands, kernelEvents, deadLetters);
    }
}
