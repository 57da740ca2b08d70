package dev.berth.topology.admission;

import dev.berth.schema.KernelIds;
import dev.berth.schema.Slots;
import dev.berth.schema.avro.CreateSession;
import dev.berth.schema.avro.SessionAdmitted;
import dev.berth.schema.avro.SessionRequest;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.topology.RejectedRecordException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a create into the candidate admission checks, after checking it is well-formed: the API
 * validates too, but any client may write the topic.
 */
public final class Admission {

    private Admission() {}

    public static SessionAdmitted candidate(SessionRequest request) {
        if (!(request.getOp() instanceof CreateSession create)) {
            throw new RejectedRecordException("admission takes only creates, got " + request.getOp().getClass().getSimpleName());
        }
        SessionSpec spec = create.getSpec();
        validate(spec);
        List<String> kernelIds = new ArrayList<>(spec.getClusterSize());
        for (int i = 0; i < spec.getClusterSize(); i++) kernelIds.add(KernelIds.of(request.getSessionId(), i));
        return SessionAdmitted.newBuilder()
                .setSessionId(request.getSessionId())
                .setAccessKey(request.getAccessKey())
                .setAt(request.getAt())
                .setSpec(spec)
                .setKernelIds(kernelIds)
                .build();
    }

    static void validate(SessionSpec spec) {
        if (spec.getClusterSize() < 1) throw new RejectedRecordException("clusterSize must be >= 1, got " + spec.getClusterSize());
        for (Map.Entry<String, Long> slot : spec.getResources().entrySet()) {
            if (slot.getValue() < 0) throw new RejectedRecordException("resources." + slot.getKey() + " is negative");
        }
        for (String required : List.of(Slots.CPU, Slots.MEM)) {
            Long amount = spec.getResources().get(required);
            if (amount == null || amount <= 0) throw new RejectedRecordException("resources." + required + " must be > 0");
        }
    }
}
