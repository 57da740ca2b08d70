package dev.berth.topology.placement;

import java.time.Duration;

/**
 * @param staleAfter      an agent whose last heartbeat is older than this gets no new work (SPEC AGT-03: 40 s)
 * @param endedRetention  how long placement remembers ended sessions, to drop a late admission of one
 */
public record PlacementOptions(Duration staleAfter, Duration endedRetention) {

    public static final PlacementOptions DEFAULTS = new PlacementOptions(Duration.ofSeconds(40), Duration.ofHours(1));
}
