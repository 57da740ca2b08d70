package dev.berth.topology.lifecycle;

import dev.berth.schema.avro.KernelInfo;
import dev.berth.schema.avro.KernelStatus;
import dev.berth.schema.avro.SessionStatus;
import java.util.List;

/** SPEC SES-16: a session's status follows its main kernel, with RUNNING and TERMINATED waiting for siblings. */
public final class StatusDerivation {

    private StatusDerivation() {}

    public static SessionStatus derive(List<KernelInfo> kernels) {
        KernelInfo main = kernels.stream().filter(k -> "main".equals(k.getClusterRole())).findFirst()
                .orElseThrow(() -> new IllegalStateException("MainKernelNotFound"));
        SessionStatus candidate = of(main.getStatus());
        if (candidate == SessionStatus.RUNNING) {
            if (any(kernels, KernelStatus.PULLING)) return SessionStatus.PULLING;
            if (any(kernels, KernelStatus.PREPARING)) return SessionStatus.PREPARING;
        } else if (candidate == SessionStatus.TERMINATED) {
            if (any(kernels, KernelStatus.TERMINATING)) return SessionStatus.TERMINATING;
            if (any(kernels, KernelStatus.ERROR)) return SessionStatus.ERROR;
        }
        return candidate;
    }

    static SessionStatus of(KernelStatus status) {
        return switch (status) {
            case PENDING -> SessionStatus.PENDING;
            case SCHEDULED -> SessionStatus.SCHEDULED;
            case PREPARING, BUILDING -> SessionStatus.PREPARING;
            case PULLING -> SessionStatus.PULLING;
            case RUNNING, RESIZING -> SessionStatus.RUNNING;
            case RESTARTING -> SessionStatus.RESTARTING;
            case SUSPENDED, ERROR -> SessionStatus.ERROR;
            case TERMINATING -> SessionStatus.TERMINATING;
            case TERMINATED -> SessionStatus.TERMINATED;
            case CANCELLED -> SessionStatus.CANCELLED;
        };
    }

    private static boolean any(List<KernelInfo> kernels, KernelStatus status) {
        for (KernelInfo kernel : kernels) if (kernel.getStatus() == status) return true;
        return false;
    }
}
