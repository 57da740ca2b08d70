package dev.berth.api.session;

import dev.berth.schema.avro.SessionSpec;

/**
 * A create body after its own checks: the spec so far and what the database must resolve.
 *
 * @param spec           everything the body said; resources may be partial when a preset is named
 * @param preset         a resource preset's name, or null
 * @param scalingGroup   the named scaling group, or null to pick one (RES-12)
 * @param project        the named project, or null for the owner's default
 * @param ownerAccessKey the keypair an admin acts for (API-10), or null for the caller's own
 */
public record CreateRequest(SessionSpec spec, String preset, String scalingGroup, String project, String ownerAccessKey) {}
