package dev.berth.api.compat;

import dev.berth.api.session.EventFanOut.Published;
import dev.berth.schema.avro.KernelInfo;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionResult;
import dev.berth.schema.avro.SessionType;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Berth's session events as the original's {@code /events/session} names them (EVT-01/03, API-25):
 * {@code session_<x>} with {@code {sessionId, sessionName, ownerAccessKey, reason, exitCode}} and,
 * for each kernel, {@code kernel_<x>} with its {@code kernelId, clusterRole, clusterIdx} too, kernels
 * first as the original's arrive before their session's. Berth records transitions per session, so
 * a kernel event is the session's transition seen on each of its kernels. A batch session's end
 * also gives {@code session_success} or {@code session_failure}; a session in ERROR gives
 * {@code session_failure}. WAITING and RENAMED have no counterpart and send nothing.
 */
final class OriginalEvents {

    /** One server-sent event: its name and data. */
    record Named(String name, JsonObject data) {}

    /** Which families a stream carries: the original's {@code scope} of '*', 'session', 'kernel' or both. */
    record Scope(boolean sessions, boolean kernels) {
        static final Scope ALL = new Scope(true, true);

        /** @return null when {@code raw} is none of the original's scopes */
        static Scope of(String raw) {
            if (raw == null || raw.isBlank()) return ALL;
            return switch (raw.replace(" ", "")) {
                case "*", "session,kernel", "kernel,session" -> ALL;
                case "session" -> new Scope(true, false);
                case "kernel" -> new Scope(false, true);
                default -> null;
            };
        }
    }

    private OriginalEvents() {}

    static List<Named> of(SessionEvent event, Scope scope) {
        Session session = event.getSession();
        List<Named> out = new ArrayList<>();
        String kernelName = switch (event.getKind()) {
            case PULLING -> "kernel_pulling";
            case PREPARING -> "kernel_preparing";
            case STARTED -> "kernel_started";
            case TERMINATING -> "kernel_terminating";
            case TERMINATED -> "kernel_terminated";
            case CANCELLED -> "kernel_cancelled";
            case ENQUEUED, SCHEDULED, RESTARTING, ERROR, RENAMED, WAITING -> null;
        };
        if (scope.kernels() && kernelName != null) {
            for (KernelInfo kernel : session.getKernels()) {
                out.add(new Named(kernelName, data(event, kernel.getExitCode())
                        .put("kernelId", kernel.getKernelId())
                        .put("clusterRole", kernel.getClusterRole())
                        .put("clusterIdx", kernel.getClusterIdx())));
            }
        }
        if (!scope.sessions()) return out;
        Integer exitCode = exitCode(session);
        switch (event.getKind()) {
            case ENQUEUED -> out.add(new Named("session_enqueued", data(event, exitCode)));
            case SCHEDULED -> out.add(new Named("session_scheduled", data(event, exitCode)));
            case PREPARING -> out.add(new Named("session_preparing", data(event, exitCode)));
            case STARTED -> out.add(new Named("session_started", data(event, exitCode)));
            case TERMINATING -> out.add(new Named("session_terminating", data(event, exitCode)));
            case CANCELLED -> out.add(new Named("session_cancelled", data(event, exitCode)));
            case ERROR -> out.add(new Named("session_failure", data(event, exitCode)));
            case TERMINATED -> {
                if (session.getSpec().getSessionType() == SessionType.BATCH && session.getResult() != SessionResult.UNDEFINED) {
                    out.add(new Named(session.getResult() == SessionResult.SUCCESS ? "session_success" : "session_failure", data(event, exitCode)));
                }
                out.add(new Named("session_terminated", data(event, exitCode)));
            }
            case PULLING, RESTARTING, RENAMED, WAITING -> { }
        }
        return out;
    }

    /** The text of {@code record}'s events, {@code id} on the last one so that a reconnect resumes after all of them. */
    static String render(String id, Published record, Scope scope) {
        List<Named> events = of(record.event(), scope);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < events.size(); i++) {
            if (i == events.size() - 1) text.append("id: ").append(id).append('\n');
            text.append("event: ").append(events.get(i).name()).append('\n')
                    .append("data: ").append(events.get(i).data().encode()).append("\n\n");
        }
        return text.toString();
    }

    private static JsonObject data(SessionEvent event, Integer exitCode) {
        Session session = event.getSession();
        return new JsonObject()
                .put("sessionId", session.getSessionId())
                .put("sessionName", session.getSpec().getName())
                .put("ownerAccessKey", session.getAccessKey())
                .put("reason", event.getReason() != null ? event.getReason() : session.getStatusInfo() != null ? session.getStatusInfo() : "")
                .put("exitCode", exitCode);
    }

    private static Integer exitCode(Session session) {
        KernelInfo main = OriginalSession.main(session);
        return main == null ? null : main.getExitCode();
    }
}
