package dev.berth.api.auth;

import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.identity.RequestSigner;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import dev.berth.identity.RequestSigner.Hash;
import java.time.ZonedDateTime;
import java.util.Set;

/**
 * Checks the keypair signature of every {@code /v1} request except the public ones (AUTH-02..05),
 * from headers only, before the body is read; on success the {@link Principal} rides on the context.
 */
public final class Authenticator implements Handler<RoutingContext> {

    private static final Set<String> PUBLIC = Set.of("/v1/health");

    private final KeypairStore keypairs;
    private final Clock clock;
    private final SigningRules rules;

    public Authenticator(KeypairStore keypairs, Clock clock) {
        this(keypairs, clock, SigningRules.NATIVE);
    }

    /** An authenticator for clients that sign by {@code rules}. */
    public Authenticator(KeypairStore keypairs, Clock clock, SigningRules rules) {
        this.keypairs = keypairs;
        this.clock = clock;
        this.rules = rules;
    }

    /** The same keypairs and clock for clients that sign by {@code other}. */
    public Authenticator signedBy(SigningRules other) {
        return new Authenticator(keypairs, clock, other);
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (PUBLIC.contains(request.path())) {
            ctx.next();
            return;
        }
        // the body stays unread until the signature holds (AUTH-05); the body handler resumes it, and a
        // refused request's connection is closed by the problem handler with the body still unread
        request.pause();
        try {
            check(ctx, request);
        } catch (ProblemException problem) {
            ctx.fail(problem);
        }
    }

    private void check(RoutingContext ctx, HttpServerRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null || header.isBlank()) {
            throw new ProblemException(ProblemKind.AUTH_FAILED, "missing Authorization header: sign the request with a keypair");
        }
        AuthHeader auth = AuthHeader.parse(header);
        Hash hash = Hash.ofSignMethod(auth.signMethod()).filter(rules.hashes()::contains).orElseThrow(() ->
                new ProblemException(ProblemKind.INVALID_AUTH_PARAMS, "signMethod must be one of "
                        + rules.hashes().stream().sorted().map(known -> "HMAC-" + known.name()).toList() + ", got " + auth.signMethod()));
        String version = request.getHeader(RequestSigner.VERSION_HEADER);
        RequestDates.requireSupportedVersion(version);
        String dateValue = rules.dateHeaders().stream().map(request::getHeader).filter(value -> value != null).findFirst()
                .orElseThrow(() -> new ProblemException(ProblemKind.INVALID_AUTH_PARAMS,
                        "missing " + String.join(" (or ", rules.dateHeaders()) + ") header"));
        ZonedDateTime signedAt = RequestDates.parseZoned(dateValue, rules.lenientDates());
        RequestDates.requireWithinWindow(signedAt.toInstant(), clock.instant());
        String host = host(request);
        String contentType = request.getHeader("Content-Type");
        String toSign = RequestSigner.stringToSign(request.method().name(), request.uri(), dateValue, host,
                contentType == null ? rules.absentContentType() : contentType, version.trim(), hash);

        keypairs.find(auth.accessKey()).onComplete(found -> {
            if (found.failed()) {
                ctx.fail(new ProblemException(ProblemKind.SERVICE_UNAVAILABLE, "cannot read keypairs: " + found.cause().getMessage(), found.cause()));
                return;
            }
            if (found.result().isEmpty()) {
                ctx.fail(new ProblemException(ProblemKind.AUTH_FAILED, "unknown access key " + auth.accessKey()));
                return;
            }
            KeypairStore.Credential credential = found.result().get();
            if (!credential.active()) {
                ctx.fail(new ProblemException(ProblemKind.AUTH_FAILED, "keypair " + auth.accessKey() + ", its user or its domain is inactive"));
                return;
            }
            String expected = RequestSigner.signature(credential.secretKey(), rules.keyDate(signedAt), toSign, host, hash);
            if (!RequestSigner.matches(expected, auth.signature())) {
                ctx.fail(new ProblemException(ProblemKind.AUTH_FAILED,
                        "signature mismatch: sign METHOD, path with query, date, host, content-type and version as documented"));
                return;
            }
            credential.principal().attachTo(ctx);
            ctx.next();
        });
    }

    /** The Host header of HTTP/1.1, the :authority of HTTP/2, as the client sent it. */
    private static String host(HttpServerRequest request) {
        HostAndPort authority = request.authority();
        if (authority == null) return "";
        return authority.host() + (authority.port() >= 0 ? ":" + authority.port() : "");
    }
}
