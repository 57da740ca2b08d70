package dev.berth.schema;

import java.time.Duration;
import java.util.List;

/**
 * The topic catalogue: every topic Berth reads or writes, with the shape it is created with.
 *
 * <p>All keyed event topics share one partition count so that the streams joining them are
 * co-partitioned; the compacted configuration topics have one partition, as they are read whole. A prefix lets tests and several stacks share one cluster.
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
    /** Compacted topics keep the latest value of every key for ever; -1 ms is Kafka's "no limit". */
    private static final Duration FOREVER = Duration.ofMillis(-1);

    public final Spec sessionRequests;
    public final Spec sessionAdmitted;
    public final Spec sessionPlacements;
    public final Spec sessionEvents;
    public final Spec agentHeartbeats;
    public final Spec agentCommands;
    public final Spec kernelEvents;
    public final Spec kernelStats;
    public final Spec sessionScheduling;
    public final Spec configKeypairs;
    public final Spec configLimits;
    public final Spec configScalingGroups;
    public final Spec deadLetters;
    public final Spec sessionActivity;
    public final Spec usageHourly;
    public final Spec usageDaily;
    public final Spec webhookDeadLetters;
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
        kernelStats = new Spec(prefix + "kernel.stats", partitions, false, Duration.ofDays(2),
                "KernelStats keyed by session id: periodic resource use of each kernel");
        sessionScheduling = new Spec(prefix + "session.scheduling", partitions, false, WEEK,
                "SchedulingUpdate keyed by session id: why a pending session still waits");
        configKeypairs = new Spec(prefix + "config.keypairs", 1, true, FOREVER,
                "KeypairConfig keyed by access key, compacted: who owns a keypair and its resource policy");
        configLimits = new Spec(prefix + "config.limits", 1, true, FOREVER,
                "ResourceLimits keyed by <scope>:<id>, compacted: keypair policies and user, project, domain limits");
        configScalingGroups = new Spec(prefix + "config.scaling-groups", 1, true, FOREVER,
                "ScalingGroupConfig keyed by group name, compacted: scheduler options per scaling group");
        deadLetters = new Spec(prefix + "dead-letters", 1, false, Duration.ofDays(30),
                "Records that could not be decoded or processed, with the reason in headers");
        sessionActivity = new Spec(prefix + "session.activity", partitions, false, WEEK,
                "SessionActivity keyed by session id: user actions the idle checks count as access");
        usageHourly = new Spec(prefix + "usage.hourly", partitions, false, Duration.ofDays(90),
                "UsageRecord keyed by <ownerKind>:<owner>: resource use per session, user, project and domain per hour");
        usageDaily = new Spec(prefix + "usage.daily", partitions, false, Duration.ofDays(400),
                "UsageRecord keyed by <ownerKind>:<owner>: resource use per session, user, project and domain per day");
        // apart from dead-letters: these records decoded fine; a receiver did not take them, and operators replay them by hand
        webhookDeadLetters = new Spec(prefix + "webhooks.dead-letters", 1, false, Duration.ofDays(30),
                "WebhookDeadLetter keyed by session id: a webhook delivery that used up its attempts, with the last reason");
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
                agentHeartbeats, agentCommands, kernelEvents, kernelStats, sessionScheduling,
                configKeypairs, configLimits, configScalingGroups, deadLetters,
                sessionActivity, usageHourly, usageDaily, webhookDeadLetters);
    }

    /** The compacted configuration topics, read as global tables; they need not be co-partitioned. */
    public List<Spec> config() {
        return List.of(configKeypairs, configLimits, configScalingGroups);
    }
}
