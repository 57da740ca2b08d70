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
    /** The Authorization header is malformed, or the date or version header is missing or unreadable (AUTH-04). */
    INVALID_AUTH_PARAMS(400, "invalid-auth-params", "Missing or invalid authorization parameters."),
    /** Unsigned, wrongly signed, unknown or inactive keypair, or a date outside the window (AUTH-03/04). */
    AUTH_FAILED(401, "auth-failed", "Credential/signature mismatch."),
    /** The caller's role may not do this (an admin-only call, another domain's object). */
    INSUFFICIENT_PRIVILEGE(403, "insufficient-privilege", "Insufficient privilege."),
    /** The operation is not allowed in the object's current state (SPEC API-14). */
    GENERIC_FORBIDDEN(403, "generic-forbidden", "Forbidden operation."),
    /** An object-not-found (ERR-01): the session id names no session Berth knows. */
    SESSION_NOT_FOUND(404, "session-not-found", "No such session."),
    /** An object-not-found (ERR-01) other than a session: a domain, user, keypair, policy, preset, image. */
    OBJECT_NOT_FOUND(404, "object-not-found", "No such object."),
    /** ERR-03: no usable scaling group, or the named one is not allowed for the keypair or the session type (RES-12). */
    SCALING_GROUP_NOT_FOUND(404, "scaling-group-not-found", "No such scaling group."),
    /** API-23: a name or id prefix matched several sessions and none exactly; the extra data lists them. */
    TOO_MANY_SESSIONS_MATCHED(404, "too-many-sessions-matched", "Too many sessions matched."),
    /** API-07: a live session has the name and the client asked not to reuse it. */
    SESSION_ALREADY_EXISTS(400, "session-already-exists", "The session already exists but you requested not to reuse existing one."),
    /** A route or parameter of the original Backend.AI API that Berth does not serve; the detail names it. */
    NOT_IMPLEMENTED_API(501, "not-implemented-api", "This API is not implemented."),
    /** A GraphQL query Berth cannot answer (unknown field, bad arguments); the errors say why. */
    GRAPHQL_ERROR(400, "graphql-error", "GraphQL-generated error."),
    /** No route has this path (ERR-01 keeps it apart from missing objects). */
    URL_NOT_FOUND(404, "url-not-found", "Unknown URL path."),
    /** The path exists but not with this HTTP method. */
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "HTTP method not allowed."),
    /** A unique name or key is taken; the detail names the field. */
    OBJECT_ALREADY_EXISTS(409, "object-already-exists", "The object already exists."),
    /** The object changed since the revision the request named (If-Match), or while it was written. */
    CONFLICT(409, "conflict", "The object changed meanwhile."),
    /** The object is still referenced (a policy used by keypairs); the detail says by what. */
    OBJECT_IN_USE(409, "object-in-use", "The object is still in use."),
    /** The body is over the API's size limit; nothing of it was read into a request. */
    REQUEST_TOO_LARGE(413, "request-too-large", "Request entity too large."),
    /** A resource policy would be exceeded (API-08: cluster size above max_containers_per_session). */
    QUOTA_EXCEEDED(412, "quota-exceeded", "You have reached your resource limit."),
    /** The keypair's rate limit is used up for now; Retry-After says when to try again (AUTH-12). */
    RATE_LIMIT_EXCEEDED(429, "rate-limit-exceeded", "Rate limit exceeded."),
    /** A server the API depends on (Kafka, PostgreSQL, Redis) did not answer in time or is away; the client may retry. */
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
