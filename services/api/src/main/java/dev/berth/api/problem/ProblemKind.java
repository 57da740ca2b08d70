package dev.berth.api.problem;

/**
 * The API's error catalogue (SPEC ERR-02/03): each kind has a stable problem type under
 * {@value #TYPE_BASE}, an HTTP status and a title. Add a kind here, never a status code at a call site.
 */
public enum ProblemKind {
    /** A parameter is missing, malformed or out of range; the detail names it. */
    INVALID_API_PARAMS(400, "invalid-api-params", "Missing or invalid API parameters."),
    /** The request could not be read at all (for example, a body over the size limit). */
    GENERIC_BAD_REQUEST(400, "generic-bad-request", "Bad request."),
    /** The operation is not allowed in the object's current state (SPEC API-14). */
    GENERIC_FORBIDDEN(403, "generic-forbidden", "Forbidden operation."),
    /** An object-not-found (ERR-01): the session id names no session Berth knows. */
    SESSION_NOT_FOUND(404, "session-not-found", "No such session."),
    /** No route has this path (ERR-01 keeps it apart from missing objects). */
    URL_NOT_FOUND(404, "url-not-found", "Unknown URL path."),
    /** The path exists but not with this HTTP method. */
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "HTTP method not allowed."),
    /** A part the API depends on (Kafka) did not answer in time; the client may retry. */
    SERVICE_UNAVAILABLE(503, "service-unavailable", "Service unavailable."),
    /** A bug or an unexpected failure; the detail says what, never an empty body. */
    INTERNAL_SERVER_ERROR(500, "internal-server-error", "Internal server error.");

    public static final String TYPE_BASE = "https://api.backend.ai/probs/";

    private final int status;
    private final String slug;
    private final String title;

    ProblemKind(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String type() {
        return TYPE_BASE + slug;
    }

    public String title() {
        return title;
    }
}
