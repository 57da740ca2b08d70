package dev.berth.api.problem;

/** The one exception handlers throw (or fail a context with) to answer with a problem document. */
public final class ProblemException extends RuntimeException {

    private final ProblemKind kind;

    public ProblemException(ProblemKind kind, String detail) {
        super(detail, null, false, false);
        this.kind = kind;
    }

    public ProblemException(ProblemKind kind, String detail, Throwable cause) {
        super(detail, cause, false, false);
        this.kind = kind;
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
}
