package dev.berth.api.session;

import dev.berth.schema.KernelIds;
import dev.berth.schema.Slots;
import dev.berth.schema.avro.KernelInfo;
import dev.berth.schema.avro.SchedulerStatus;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/** How a session looks to API clients: names instead of enums' ordinals, times in ISO-8601 UTC, slots in user units. */
public final class SessionJson {

    private SessionJson() {}

    public static JsonObject of(Session session) {
        SessionSpec spec = session.getSpec();
        KernelInfo main = session.getKernels().stream()
                .filter(kernel -> KernelIds.role(0).equals(kernel.getClusterRole()))
                .findFirst().orElse(null);
        return new JsonObject()
                .put("sessionId", session.getSessionId())
                .put("name", spec.getName())
                .put("status", session.getStatus().name())
                .put("statusInfo", session.getStatusInfo())
                // what went wrong in a kernel (an image that does not exist, impossible limits), in the runtime's words
                .put("error", session.getError())
                .put("statusHistory", statusHistory(session.getStatusHistory()))
                .put("result", session.getResult().name())
                .put("type", RequestValidation.apiName(spec.getSessionType()))
                .put("clusterMode", RequestValidation.apiName(spec.getClusterMode()))
                .put("clusterSize", spec.getClusterSize())
                .put("image", spec.getImage())
                .put("architecture", spec.getArchitecture())
                .put("scalingGroup", spec.getScalingGroup())
                .put("command", spec.getCommand())
                .put("resources", resources(spec.getResources()))
                .put("createdAt", iso(session.getCreatedAt()))
                .put("terminatedAt", iso(session.getTerminatedAt()))
                .put("exitCode", main == null ? null : main.getExitCode())
                .put("agents", new JsonArray(session.getKernels().stream()
                        .map(KernelInfo::getAgentId).filter(agent -> agent != null).distinct().toList()))
                .put("kernels", new JsonArray(session.getKernels().stream().map(SessionJson::kernel).toList()))
                .put("tag", spec.getTag())
                .put("callbackUrl", spec.getCallbackUrl())
                .put("domain", spec.getDomain())
                .put("project", spec.getProject())
                .put("accessKey", session.getAccessKey())
                .put("scheduler", scheduler(session.getScheduler()));
    }

    /** SES-18: why a pending session still waits, null once placed. */
    private static JsonObject scheduler(SchedulerStatus status) {
        if (status == null) return null;
        return new JsonObject()
                .put("retries", status.getRetries())
                .put("lastTry", iso(status.getLastTry()))
                .put("failedPredicates", new JsonArray(status.getFailedPredicates().stream()
                        .map(failure -> new JsonObject().put("name", failure.getName()).put("msg", failure.getMsg())).toList()))
                .put("passedPredicates", new JsonArray(status.getPassedPredicates()))
                .put("msg", status.getMsg());
    }

    private static JsonObject kernel(KernelInfo kernel) {
        return new JsonObject()
                .put("kernelId", kernel.getKernelId())
                .put("role", kernel.getClusterRole())
                .put("hostname", kernel.getClusterHostname())
                .put("status", kernel.getStatus().name())
                .put("agentId", kernel.getAgentId())
                .put("exitCode", kernel.getExitCode());
    }

    /** SES-11: status name to when it was last entered, in the order they were entered. */
    private static JsonObject statusHistory(Map<String, Long> history) {
        JsonObject out = new JsonObject();
        history.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .forEach(entry -> out.put(entry.getKey(), iso(Instant.ofEpochMilli(entry.getValue()))));
        return out;
    }

    /** cpu 1000 thousandths reads as 1, cuda.shares 500 as 0.5, mem stays in bytes. */
    private static JsonObject resources(Map<String, Long> slots) {
        JsonObject out = new JsonObject();
        Slots.present(slots).forEach((slot, amount) -> out.put(slot,
                amount instanceof BigDecimal decimal ? new BigDecimal(decimal.toPlainString()) : amount));
        return out;
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
