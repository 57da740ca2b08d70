package dev.berth.topology.lifecycle;

import static dev.berth.schema.avro.KernelStatus.*;

import dev.berth.schema.avro.KernelStatus;
import dev.berth.schema.avro.SessionStatus;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The allowed status changes of SPEC SES-17, as data. A change that is not listed is ignored
 * silently by the lifecycle, never raised.
 *
 * <pre>
 * session: PENDING ─► SCHEDULED ─► PULLING ⇄ PREPARING ─► RUNNING ⇄ RESTARTING
 *             │            │                                  │
 *             ▼            ▼                                  ▼
 *         CANCELLED    CANCELLED        ERROR ─► TERMINATED ◄─ TERMINATING
 * </pre>
 */
public final class Transitions {

    private static final Map<SessionStatus, Set<SessionStatus>> SESSION = new EnumMap<>(SessionStatus.class);
    private static final Map<KernelStatus, Set<KernelStatus>> KERNEL = new EnumMap<>(KernelStatus.class);

    static {
        SESSION.put(SessionStatus.PENDING, EnumSet.of(SessionStatus.SCHEDULED, SessionStatus.TERMINATING,
                SessionStatus.TERMINATED, SessionStatus.ERROR, SessionStatus.CANCELLED));
        SESSION.put(SessionStatus.SCHEDULED, EnumSet.of(SessionStatus.PULLING, SessionStatus.PREPARING,
                SessionStatus.TERMINATED, SessionStatus.ERROR, SessionStatus.CANCELLED));
        // pulling sessions cannot be destroyed by users: no TERMINATING
        SESSION.put(SessionStatus.PULLING, EnumSet.of(SessionStatus.PREPARING, SessionStatus.RUNNING,
                SessionStatus.TERMINATED, SessionStatus.ERROR, SessionStatus.CANCELLED));
        SESSION.put(SessionStatus.PREPARING, EnumSet.of(SessionStatus.PULLING, SessionStatus.RUNNING,
                SessionStatus.TERMINATING, SessionStatus.TERMINATED, SessionStatus.ERROR, SessionStatus.CANCELLED));
        SESSION.put(SessionStatus.RUNNING, EnumSet.of(SessionStatus.RESTARTING, SessionStatus.TERMINATING,
                SessionStatus.TERMINATED, SessionStatus.ERROR));
        SESSION.put(SessionStatus.RESTARTING, EnumSet.of(SessionStatus.RUNNING, SessionStatus.TERMINATING,
                SessionStatus.TERMINATED, SessionStatus.ERROR));
        SESSION.put(SessionStatus.TERMINATING, EnumSet.of(SessionStatus.TERMINATED, SessionStatus.ERROR));
        SESSION.put(SessionStatus.ERROR, EnumSet.of(SessionStatus.TERMINATED));
        SESSION.put(SessionStatus.TERMINATED, EnumSet.noneOf(SessionStatus.class));
        SESSION.put(SessionStatus.CANCELLED, EnumSet.noneOf(SessionStatus.class));

        KERNEL.put(PENDING, EnumSet.complementOf(EnumSet.of(PENDING, TERMINATED)));
        KERNEL.put(SCHEDULED, EnumSet.complementOf(EnumSet.of(SCHEDULED, PENDING, TERMINATED)));
        for (KernelStatus middle : EnumSet.of(PREPARING, BUILDING, PULLING, RESTARTING, RESIZING, SUSPENDED)) {
            KERNEL.put(middle, EnumSet.complementOf(EnumSet.of(middle, PENDING, SCHEDULED, TERMINATED)));
        }
        KERNEL.put(RUNNING, EnumSet.of(RESTARTING, RESIZING, TERMINATING, TERMINATED, ERROR));
        KERNEL.put(TERMINATING, EnumSet.of(TERMINATED, ERROR));
        KERNEL.put(TERMINATED, EnumSet.noneOf(KernelStatus.class));
        KERNEL.put(ERROR, EnumSet.noneOf(KernelStatus.class));
        KERNEL.put(CANCELLED, EnumSet.noneOf(KernelStatus.class));
    }

    private Transitions() {}

    public static boolean allowed(SessionStatus from, SessionStatus to) {
        return SESSION.get(from).contains(to);
    }

    public static boolean allowed(KernelStatus from, KernelStatus to) {
        return KERNEL.get(from).contains(to);
    }

    /** SES-22: a kernel may be marked terminated from any status but these. */
    public static boolean mayMarkTerminated(KernelStatus from) {
        return from != CANCELLED && from != KernelStatus.TERMINATED && from != RESTARTING;
    }

    /** Dead statuses (SES-09): nothing runs and nothing is held any more. */
    public static boolean isTerminal(SessionStatus status) {
        return status == SessionStatus.TERMINATED || status == SessionStatus.CANCELLED;
    }
}
