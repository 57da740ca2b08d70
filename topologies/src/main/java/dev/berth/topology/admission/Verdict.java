package dev.berth.topology.admission;

import dev.berth.schema.avro.PredicateFailure;
import java.util.List;

/**
 * The outcome of all predicates for one session (SCH-05: every predicate runs, none short-circuits).
 *
 * @param cancelReason non-null when waiting cannot help, e.g. a dependency failed: the session is cancelled
 */
public record Verdict(List<String> passed, List<PredicateFailure> failed, String cancelReason) {

    public Verdict {
        passed = List.copyOf(passed);
        failed = List.copyOf(failed);
    }

    /** A session that is cancelled without its predicates being checked. */
    public static Verdict cancel(String reason) {
        return new Verdict(List.of(), List.of(), reason);
    }

    public boolean admitted() {
        return failed.isEmpty() && cancelReason == null;
    }
}
