package dev.berth.api.auth;

import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.schema.avro.Session;

/** Who may see and act on what (AUTH-06, API-10): pure decisions over the caller and the object. */
public final class Access {

    private Access() {}

    /** A user: its own sessions; a domain admin: its domain's; a superadmin: all. */
    public static boolean canActOn(Principal caller, Session session) {
        return switch (caller.role()) {
            case SUPERADMIN -> true;
            case ADMIN -> caller.domain().equals(session.getSpec().getDomain()) || ownedBy(caller, session);
            case USER, MONITOR -> ownedBy(caller, session);
        };
    }

    private static boolean ownedBy(Principal caller, Session session) {
        return caller.accessKey().equals(session.getAccessKey())
                || (!session.getSpec().getUserId().isEmpty() && caller.userId().equals(session.getSpec().getUserId()));
    }

    /** API-10: who may act on behalf of {@code owner}. */
    public static void requireMayActFor(Principal caller, Principal owner) {
        if (caller.accessKey().equals(owner.accessKey())) return;
        switch (caller.role()) {
            case SUPERADMIN -> { }
            case ADMIN -> {
                if (!caller.domain().equals(owner.domain()) || owner.role() == Role.SUPERADMIN) {
                    throw new ProblemException(ProblemKind.GENERIC_FORBIDDEN,
                            "a domain admin may act only for keypairs of its own domain, never a superadmin's");
                }
            }
            case USER, MONITOR -> throw new ProblemException(ProblemKind.GENERIC_FORBIDDEN,
                    "ownerAccessKey is for admins: a user acts only for its own keypair");
        }
    }

    /**
     * HOOK: who may subscribe to a project's or a user's sessions. As with reading sessions, a user
     * hears of its own sessions only; a domain admin of every session in its domain (a project's,
     * any user's); a superadmin of all.
     *
     * @param domain the project's or the user's domain
     * @param own    the subscription is to the caller's own sessions
     */
    public static void requireMayWatch(Principal caller, String domain, boolean own) {
        boolean allowed = switch (caller.role()) {
            case SUPERADMIN -> true;
            case ADMIN -> own || caller.domain().equals(domain);
            case USER, MONITOR -> own;
        };
        if (!allowed) {
            throw new ProblemException(ProblemKind.INSUFFICIENT_PRIVILEGE,
                    "a user may subscribe to its own sessions only; a project's or another user's are for their domain admins");
        }
    }

    /** Admin routes: superadmin and domain admins only. */
    public static void requireAdmin(Principal caller) {
        if (!caller.role().isAdmin()) {
            throw new ProblemException(ProblemKind.INSUFFICIENT_PRIVILEGE, "this call is for superadmins and domain admins");
        }
    }

    public static void requireSuperadmin(Principal caller) {
        if (caller.role() != Role.SUPERADMIN) {
            throw new ProblemException(ProblemKind.INSUFFICIENT_PRIVILEGE, "this call is for superadmins");
        }
    }
}
