package dev.berth.topology.idle;

import dev.berth.schema.avro.KernelStats;
import dev.berth.schema.avro.SessionActivity;
import dev.berth.schema.avro.SessionEvent;

/** Everything the idle processor reacts to, keyed by session id. */
sealed interface IdleInput {

    /** A lifecycle change, with the whole session after it. */
    record Changed(SessionEvent event) implements IdleInput { }

    /** A kernel's stats sample. */
    record Stats(KernelStats stats) implements IdleInput { }

    /** A user action on the session. */
    record Activity(SessionActivity activity) implements IdleInput { }

    /** When the session's user was first seen (for the new-user grace period). */
    record UserSince(long since) implements IdleInput { }
}
