package dev.berth.api.usage;

import dev.berth.api.auth.Principal;
import dev.berth.api.auth.Role;
import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import io.vertx.core.MultiMap;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code GET /v1/usage} is asked, parsed and checked against who asks: one owner (a project,
 * user, domain or session) and one UTC month. Pure, so every rule is tested without a server.
 *
 * @param ownerKind     project, user, domain or session, as the usage tables name them
 * @param domainOnly    for a domain admin, its domain: rows of other domains are never read
 */
public record UsageQuery(String ownerKind, String owner, YearMonth month, String domainOnly) {

    static final List<String> KINDS = List.of("project", "user", "domain", "session");

    public Instant from() {
        return month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    public Instant to() {
        return month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /**
     * A user asks about itself (no owner given means its own user) or a session it owns
     * ({@code ownsSession} decides); a domain admin about anything of its domain; a superadmin about anything.
     */
    public static UsageQuery parse(MultiMap params, Principal caller, java.util.function.Predicate<String> ownsSession, YearMonth now) {
        List<String> named = new ArrayList<>();
        for (String kind : KINDS) if (params.contains(kind)) named.add(kind);
        if (named.size() > 1) throw ProblemException.invalid("name one of project, user, domain or session, not " + String.join(" and ", named));
        String kind = named.isEmpty() ? "user" : named.getFirst();
        String owner = named.isEmpty() ? caller.userId() : params.get(kind).trim();
        if (owner.isEmpty()) throw ProblemException.invalid(kind + " must not be empty");
        if (owner.length() > 256) throw ProblemException.invalid(kind + " is longer than 256 characters");
        YearMonth month = month(params.get("month"), now);

        Role role = caller.role();
        if (role == Role.SUPERADMIN) return new UsageQuery(kind, owner, month, null);
        if (role == Role.ADMIN) {
            if (kind.equals("domain") && !owner.equals(caller.domain())) {
                throw new ProblemException(ProblemKind.INSUFFICIENT_PRIVILEGE, "a domain admin sees the usage of its own domain only");
            }
            return new UsageQuery(kind, owner, month, caller.domain());
        }
        boolean own = switch (kind) {
            case "user" -> owner.equals(caller.userId());
            case "session" -> ownsSession.test(owner);
            default -> false;
        };
        if (!own) {
            throw new ProblemException(ProblemKind.INSUFFICIENT_PRIVILEGE,
                    "a user sees its own usage and its sessions' only; " + kind + " usage is for admins");
        }
        return new UsageQuery(kind, owner, month, caller.domain());
    }

    static YearMonth month(String text, YearMonth now) {
        if (text == null || text.isBlank()) return now;
        try {
            YearMonth month = YearMonth.parse(text.trim());
            if (month.getYear() < 2000 || month.getYear() > 9999) throw new DateTimeParseException("out of range", text, 0);
            return month;
        } catch (DateTimeParseException e) {
            throw ProblemException.invalid("month must be a month such as 2026-11, got \"" + text + "\"");
        }
    }
}
