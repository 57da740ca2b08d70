package dev.berth.identity;

/**
 * Something the scheduler reads from a compacted config topic changed; the outbox turns it into
 * the record's current state (or a tombstone when the row is gone), read in the same transaction.
 */
public sealed interface ConfigChange {

    /** The outbox's topic name (one of {@code keypairs}, {@code limits}, {@code scaling-groups}). */
    String topic();

    /** The record key on that topic. */
    String key();

    record Keypair(String accessKey) implements ConfigChange {
        public String topic() { return "keypairs"; }
        public String key() { return accessKey; }
    }

    record KeypairPolicy(String name) implements ConfigChange {
        public String topic() { return "limits"; }
        public String key() { return "keypair-policy:" + name; }
    }

    record UserLimits(String userId) implements ConfigChange {
        public String topic() { return "limits"; }
        public String key() { return "user:" + userId; }
    }

    record ProjectLimits(String project) implements ConfigChange {
        public String topic() { return "limits"; }
        public String key() { return "project:" + project; }
    }

    record DomainLimits(String domain) implements ConfigChange {
        public String topic() { return "limits"; }
        public String key() { return "domain:" + domain; }
    }

    record ScalingGroup(String name) implements ConfigChange {
        public String topic() { return "scaling-groups"; }
        public String key() { return name; }
    }
}
