package dev.berth.api.admin;

import dev.berth.api.problem.ProblemException;
import java.util.ArrayList;
import java.util.List;

/** Problems found in an admin body, each as "field what-is-wrong", reported together. */
final class Errors {

    private final List<String> problems = new ArrayList<>();

    /** Records a problem; null lets a reader {@code return errors.add(...)}. */
    <T> T add(String field, String problem) {
        problems.add(field + " " + problem);
        return null;
    }

    void throwIfAny() {
        if (!problems.isEmpty()) throw ProblemException.invalid(String.join("; ", problems));
    }
}
