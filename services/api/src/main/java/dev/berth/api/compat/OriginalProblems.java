package dev.berth.api.compat;

import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemHandler;
import dev.berth.api.problem.ProblemKind;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Problems as the original's clients read them (ERR-02/04): Berth's {@code type, title, status,
 * detail} plus {@code msg} (the original's extra message, which its clients print) and {@code data}
 * (its extra data: the matches of too-many-sessions-matched, the fields of invalid-api-params).
 * Field names in the detail are the keys the client sent, not Berth's.
 */
final class OriginalProblems {

    /** A problem's leading field: a name, then {@code .slot} or {@code [index]} parts. */
    private static final Pattern FIELD = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*)((?:\\.[A-Za-z0-9_.-]+|\\[\\d+])*)");

    private OriginalProblems() {}

    /** The shape for a request whose native fields came from the client's keys in {@code fieldNames}. */
    static Function<ProblemException, JsonObject> shape(Map<String, String> fieldNames) {
        return problem -> body(problem, fieldNames);
    }

    static JsonObject body(ProblemException problem, Map<String, String> fieldNames) {
        List<String> segments = new ArrayList<>();
        JsonObject fields = new JsonObject();
        for (String segment : problem.detail().split("; ")) {
            Matcher field = FIELD.matcher(segment);
            String renamed = segment;
            if (field.find() && fieldNames.containsKey(field.group(1))) {
                String name = fieldNames.get(field.group(1)) + field.group(2);
                String rest = segment.substring(field.end()).replaceFirst("^:?\\s*", "");
                renamed = name + segment.substring(field.end());
                fields.put(name, rest);
            }
            segments.add(renamed);
        }
        String detail = String.join("; ", segments);
        JsonObject body = ProblemHandler.body(new ProblemException(problem.kind(), detail)).put("msg", detail);
        Object data = problem.data() != null ? problem.data()
                : problem.kind() == ProblemKind.INVALID_API_PARAMS && !fields.isEmpty() ? fields : null;
        if (data != null) body.put("data", data);
        return body;
    }
}
