package dev.berth.api.auth;

import java.util.Locale;

/** AUTH-06: what a keypair's user may do. */
public enum Role {
    /** Everything, in every domain, also on behalf of any other keypair. */
    SUPERADMIN,
    /** A domain admin: its own domain's projects, users, keypairs and sessions. */
    ADMIN,
    /** Its own sessions only. */
    USER,
    /** Reads like a user; kept for parity with the original. */
    MONITOR;

    public static Role of(String stored) {
        return valueOf(stored.toUpperCase(Locale.ROOT));
    }

    public String stored() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isAdmin() {
        return this == SUPERADMIN || this == ADMIN;
    }
}
