package dev.berth.topology.placement;

import java.util.List;

/**
 * What one placement pass decided.
 *
 * @param placements  in the order the policy picked them
 * @param unplaceable sessions picked but not placed, in pick order; sessions never picked appear in neither list
 */
public record PassResult(List<Placement> placements, List<Unplaceable> unplaceable) {

    public PassResult {
        placements = List.copyOf(placements);
        unplaceable = List.copyOf(unplaceable);
    }
}
