package dev.berth.api.compat;

import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import io.vertx.core.http.HttpMethod;
import java.util.List;

/**
 * The original manager's routes Berth does not serve (docs/backendai-compat.md): each answers 501
 * not-implemented-api naming the route and what Berth has instead, never a 404 that reads like a
 * typo. Paths ending in {@code /*} cover everything below them, after the served routes had their turn.
 */
record NotImplemented(List<HttpMethod> methods, String path, String what) {

    static final List<HttpMethod> ANY = List.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
            HttpMethod.DELETE, HttpMethod.HEAD);

    /** The table, specific routes before the subtrees that also cover them. */
    static final List<NotImplemented> ROUTES = List.of(
            new NotImplemented(List.of(HttpMethod.PATCH), "/session/:name", "restarting a session: Berth has no restart; destroy the session and create it again"),
            new NotImplemented(List.of(HttpMethod.POST), "/session/:name", "code execution in a session (query and batch modes)"),
            new NotImplemented(List.of(HttpMethod.POST), "/session/_/create-from-template", "session templates"),
            new NotImplemented(List.of(HttpMethod.POST), "/session/_/create-cluster", "cluster templates"),
            new NotImplemented(ANY, "/session/_/logs", "task logs of batch sessions; GET /session/{name}/logs has a session's output"),
            new NotImplemented(ANY, "/session/*", "this session operation (interrupt, complete, upload, download, files, services, commit)"),
            new NotImplemented(ANY, "/kernel/*", "the v4 /kernel paths: this server speaks API v8, use /session"),
            new NotImplemented(ANY, "/stream/*", "terminal, execution and app streaming into sessions"),
            new NotImplemented(ANY, "/events/background-task", "background tasks"),
            new NotImplemented(ANY, "/folders/*", "virtual folders"),
            new NotImplemented(ANY, "/folders", "virtual folders"),
            new NotImplemented(ANY, "/resource/*", "this resource route (usage statistics, watcher, recalculation); "
                    + "GET /resource/presets and POST /resource/check-presets are served"),
            new NotImplemented(ANY, "/scaling-groups/*", "wsproxy versions of scaling groups; GET /scaling-groups is served"),
            new NotImplemented(ANY, "/auth/*", "this account route (signup, signout, passwords, SSH keypairs, authorize); "
                    + "GET /auth/role and /auth/test are served"),
            new NotImplemented(ANY, "/config/*", "this shared-config route; GET /config/resource-slots is served"),
            new NotImplemented(ANY, "/template/*", "session and cluster templates"),
            new NotImplemented(ANY, "/user-config/*", "dotfiles"),
            new NotImplemented(ANY, "/domain-config/*", "dotfiles"),
            new NotImplemented(ANY, "/group-config/*", "dotfiles"),
            new NotImplemented(ANY, "/logs/*", "error logs"),
            new NotImplemented(ANY, "/manager/*", "manager status, announcements and scheduler operations"),
            new NotImplemented(ANY, "/services/*", "model services"),
            new NotImplemented(ANY, "/image/*", "image import"),
            new NotImplemented(ANY, "/server/*", "the web server's login routes: sign each request with a keypair instead"),
            new NotImplemented(ANY, "/func/*", "the web server's proxied routes: sign each request with a keypair instead"));

    ProblemException problem(HttpMethod method, String requestPath) {
        return new ProblemException(ProblemKind.NOT_IMPLEMENTED_API, method.name() + " " + requestPath + " is not implemented in Berth: " + what
                + " (see docs/backendai-compat.md)");
    }
}
