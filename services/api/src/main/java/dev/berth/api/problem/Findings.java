package dev.berth.api.problem;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The problems found in one request body so far, each as "field what-is-wrong", reported together
 * so that a client can fix them all in one round.
 */
public final class Findings {

    private final List<String> problems = new ArrayList<>();

    /** Records a problem; returns null so that a reader can {@code return findings.add(...)}. */
    public <T> T add(String field, String problem) {
        problems.add(field + " " + problem);
        return null;
    }

    public void unknownFields(JsonObject body, Set<String> known) {
        Set<String> unknown = new TreeSet<>(body.fieldNames());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            problems.add("unknown field(s) " + String.join(", ", unknown) + "; known: " + String.join(", ", new TreeSet<>(known)));
        }
    }

    public void throwIfAny() {
        if (!problems.isEmpty()) throw ProblemException.invalid(String.join("; ", problems));
    }
}
