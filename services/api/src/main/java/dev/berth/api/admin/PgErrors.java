package dev.berth.api.admin;

import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import io.vertx.pgclient.PgException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns the database's constraint violations into problems that name the API field. */
final class PgErrors {

    private static final Pattern KEY = Pattern.compile("Key \\((.+?)\\)=\\((.*?)\\)");
    private static final Pattern TABLE = Pattern.compile("table \"(.+?)\"");

    private PgErrors() {}

    static Throwable translate(Throwable failure, Entity entity) {
        if (!(failure instanceof PgException pg)) return failure;
        String detail = pg.getDetail() == null ? "" : pg.getDetail();
        Matcher key = KEY.matcher(detail);
        boolean named = key.find();
        String column = named ? key.group(1) : pg.getColumn();
        String value = named ? key.group(2) : "";
        String field = column == null ? "the body" : entity.apiName(column);
        Matcher table = TABLE.matcher(detail);
        String other = table.find() ? table.group(1).replace('_', ' ') : "another table";
        return switch (pg.getSqlState() == null ? "" : pg.getSqlState()) {
            case "23505" -> new ProblemException(ProblemKind.OBJECT_ALREADY_EXISTS,
                    field + " \"" + value + "\" is taken by another " + entity.noun());
            case "23503" -> detail.contains("still referenced")
                    ? new ProblemException(ProblemKind.OBJECT_IN_USE, entity.noun() + " \"" + value + "\" is still used by " + other)
                    : ProblemException.invalid(field + " \"" + value + "\" names nothing in " + other);
            case "23514" -> ProblemException.invalid(checkedField(pg, entity) + " is out of range (" + pg.getConstraint() + ")");
            case "23502" -> ProblemException.invalid(field + " is required");
            case "22P02", "22003", "22023" -> ProblemException.invalid("a value is malformed: " + pg.getErrorMessage());
            default -> failure;
        };
    }

    /** Check constraints Postgres names {@code <table>_<column>_check}. */
    private static String checkedField(PgException pg, Entity entity) {
        String constraint = pg.getConstraint() == null ? "" : pg.getConstraint();
        String column = constraint.replaceFirst("^" + Pattern.quote(entity.table()) + "_", "").replaceFirst("_check\\d*$", "");
        return entity.apiName(column);
    }
}
