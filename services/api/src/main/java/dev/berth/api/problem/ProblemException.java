package dev.berth.api.problem;

/** The one exception handlers throw (or fail a context with) to answer with a problem document. */
public final class ProblemException extends RuntimeException {

    private final ProblemKind kind;
    private final Object data;

    public ProblemException(ProblemKind kind, String detail) {
        this(kind, detail, null, null);
    }

    public ProblemException(ProblemKind kind, String detail, Throwable cause) {
        this(kind, detail, cause, null);
    }

    /** With {@code data}, what the original calls a problem's extra data (ERR-04): JSON a client reads. */
    public ProblemException(ProblemKind kind, String detail, Throwable cause, Object data) {
        super(detail, cause, false, false);
        this.kind = kind;
        this.data = data;
    }

    public static ProblemException invalid(String detail) {
        return new ProblemException(ProblemKind.INVALID_API_PARAMS, detail);
    }

    public ProblemKind kind() {
        return kind;
    }

    public String detail() {
        return getMessage();
    }

    /** The extra data (a JsonObject or JsonArray), or null. */
    public Object data() {
        return data;
    }
}
