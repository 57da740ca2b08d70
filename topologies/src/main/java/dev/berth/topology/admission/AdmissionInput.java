package dev.berth.topology.admission;

import dev.berth.schema.avro.SessionAdmitted;
import dev.berth.schema.avro.SessionEnded;

/** What admission reacts to, all keyed by domain. */
sealed interface AdmissionInput {

    /** A well-formed create, shaped as it will be admitted. */
    record Create(SessionAdmitted candidate) implements AdmissionInput {}

    /** A session stopped holding resources: TERMINATED, CANCELLED or ERROR. */
    record Ended(SessionEnded ended) implements AdmissionInput {}
}
