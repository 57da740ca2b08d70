package dev.berth.api.compat;

import dev.berth.schema.KernelIds;
import dev.berth.schema.Slots;
import dev.berth.schema.avro.KernelInfo;
import dev.berth.schema.avro.SchedulerStatus;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A session in the original's field names: its {@code GET /session/{name}} body (API-11) and its
 * GraphQL {@code ComputeSession} (ADM-01). Pure; what lives in Redis (stats, idle checks) and in
 * PostgreSQL (the owner's email) comes in as arguments. Times are ISO-8601 UTC; slots are strings,
 * as the original's ResourceSlot JSON has them; group ids are project names, as Berth's projects
 * are named, not numbered.
 */
final class OriginalSession {

    private OriginalSession() {}

    /** API-11: what {@code GET /session/{name}} answers, at {@code now}. */
    static JsonObject info(Session session, Instant now, JsonObject lastStat, JsonObject idleChecks) {
        SessionSpec spec = session.getSpec();
        KernelInfo main = main(session);
        return new JsonObject()
                .put("sessionId", session.getSessionId())
                .put("sessionName", spec.getName())
                .put("domainName", spec.getDomain())
                .put("groupId", spec.getProject())
                .put("groupName", spec.getProject())
                .put("userId", spec.getUserId())
                .put("ownerAccessKey", session.getAccessKey())
                .put("lang", spec.getImage())
                .put("image", spec.getImage())
                .put("architecture", spec.getArchitecture())
                .put("registry", registry(spec.getImage()))
                .put("tag", spec.getTag())
                .put("type", spec.getSessionType().name().toLowerCase(java.util.Locale.ROOT))
                .put("clusterMode", clusterMode(spec))
                .put("clusterSize", spec.getClusterSize())
                .put("scalingGroup", spec.getScalingGroup())
                .put("containerId", main == null ? null : main.getContainerId())
                .put("agentIds", agents(session))
                .put("occupiedSlots", slots(occupied(session)))
                .put("requestedSlots", slots(spec.getResources()))
                .put("occupiedShares", new JsonObject())
                .put("environ", new JsonArray(spec.getEnviron().entrySet().stream().map(entry -> entry.getKey() + "=" + entry.getValue()).toList()))
                .put("resourceOpts", new JsonObject())
                .put("startupCommand", spec.getCommand())
                .put("callbackUrl", spec.getCallbackUrl())
                .put("startsAt", iso(spec.getStartsAt()))
                .put("status", session.getStatus().name())
                .put("statusInfo", session.getStatusInfo())
                .put("statusData", statusData(session))
                .put("statusHistory", statusHistory(session))
                .put("result", session.getResult().name())
                .put("exitCode", main == null ? null : main.getExitCode())
                .put("age", Math.max(0, now.toEpochMilli() - session.getCreatedAt().toEpochMilli()))
                .put("creationTime", iso(session.getCreatedAt()))
                .put("terminationTime", iso(session.getTerminatedAt()))
                .put("servicePorts", new JsonArray())
                .put("numQueriesExecuted", 0)
                .put("lastStat", lastStat)
                .put("idleChecks", idleChecks);
    }

    /** The main kernel's sample out of every kernel's latest one ({@code kernelId} in each), or null. */
    static JsonObject mainStat(Session session, JsonArray kernelStats) {
        KernelInfo main = main(session);
        if (main == null) return null;
        for (Object sample : kernelStats) {
            if (sample instanceof JsonObject stat && main.getKernelId().equals(stat.getString("kernelId"))) return stat;
        }
        return null;
    }

    /** The GraphQL ComputeSession's fields; {@code email} is the owner's (null when unknown), {@code dependencies} shown one level deep. */
    static Map<String, Object> graphql(Session session, String email, List<Session> dependencies) {
        SessionSpec spec = session.getSpec();
        KernelInfo main = main(session);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", session.getSessionId());
        out.put("session_id", session.getSessionId());
        out.put("main_kernel_id", main == null ? null : main.getKernelId());
        out.put("main_kernel_role", spec.getRole().name());
        out.put("name", spec.getName());
        out.put("session_name", spec.getName());
        out.put("tag", spec.getTag());
        out.put("type", spec.getSessionType().name());
        out.put("session_type", spec.getSessionType().name());
        out.put("image", spec.getImage());
        out.put("lang", spec.getImage());
        out.put("architecture", spec.getArchitecture());
        out.put("registry", registry(spec.getImage()));
        out.put("cluster_template", null);
        out.put("cluster_mode", clusterMode(spec));
        out.put("cluster_size", spec.getClusterSize());
        out.put("domain_name", spec.getDomain());
        out.put("group_name", spec.getProject());
        out.put("group_id", spec.getProject());
        out.put("project", spec.getProject());
        out.put("user_email", email);
        out.put("user_id", spec.getUserId());
        out.put("user_uuid", spec.getUserId());
        out.put("access_key", session.getAccessKey());
        out.put("created_user_email", email);
        out.put("created_user_id", spec.getUserId());
        out.put("status", session.getStatus().name());
        out.put("status_changed", iso(statusChanged(session)));
        out.put("status_info", session.getStatusInfo());
        out.put("status_data", encoded(statusData(session)));
        out.put("status_history", statusHistory(session).encode());
        out.put("created_at", iso(session.getCreatedAt()));
        out.put("terminated_at", iso(session.getTerminatedAt()));
        out.put("starts_at", iso(spec.getStartsAt()));
        out.put("startup_command", spec.getCommand());
        out.put("bootstrap_script", spec.getBootstrapScript());
        out.put("callback_url", spec.getCallbackUrl());
        out.put("result", session.getResult().name());
        out.put("commit_status", null);
        out.put("abusing_reports", List.of());
        out.put("idle_checks", null);
        out.put("agent_ids", agents(session).getList());
        out.put("agents", agents(session).getList());
        out.put("resource_opts", "{}");
        out.put("scaling_group", spec.getScalingGroup());
        out.put("service_ports", "[]");
        out.put("mounts", List.of());
        out.put("vfolder_mounts", List.of());
        out.put("occupying_slots", slots(occupied(session)).encode());
        out.put("occupied_slots", slots(occupied(session)).encode());
        out.put("requested_slots", slots(spec.getResources()).encode());
        out.put("num_queries", 0);
        out.put("inference_metrics", null);
        out.put("containers", session.getKernels().stream().map(kernel -> container(session, kernel)).toList());
        out.put("dependencies", dependencies.stream().map(dependency -> graphql(dependency, null, List.of())).toList());
        return out;
    }

    private static Map<String, Object> container(Session session, KernelInfo kernel) {
        SessionSpec spec = session.getSpec();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", kernel.getKernelId());
        out.put("idx", kernel.getClusterIdx());
        out.put("role", kernel.getClusterRole());
        out.put("hostname", kernel.getClusterHostname());
        out.put("cluster_idx", kernel.getClusterIdx());
        out.put("cluster_role", kernel.getClusterRole());
        out.put("cluster_hostname", kernel.getClusterHostname());
        out.put("local_rank", kernel.getClusterIdx() - 1);
        out.put("session_id", session.getSessionId());
        out.put("image", spec.getImage());
        out.put("architecture", spec.getArchitecture());
        out.put("registry", registry(spec.getImage()));
        out.put("status", kernel.getStatus().name());
        out.put("status_changed", iso(statusChanged(session)));
        out.put("status_info", session.getStatusInfo());
        out.put("status_data", null);
        out.put("created_at", iso(session.getCreatedAt()));
        out.put("terminated_at", iso(session.getTerminatedAt()));
        out.put("starts_at", iso(spec.getStartsAt()));
        out.put("scaling_group", spec.getScalingGroup());
        out.put("agent", kernel.getAgentId());
        out.put("agent_addr", null);
        out.put("container_id", kernel.getContainerId());
        out.put("resource_opts", "{}");
        out.put("occupied_slots", slots(spec.getResources()).encode());
        out.put("live_stat", null);
        out.put("last_stat", null);
        out.put("preopen_ports", List.of());
        out.put("service_ports", "[]");
        return out;
    }

    /** The main kernel (cluster role main, SES-05), null before the session has kernels. */
    static KernelInfo main(Session session) {
        return session.getKernels().stream().filter(kernel -> KernelIds.role(0).equals(kernel.getClusterRole())).findFirst().orElse(null);
    }

    /** SES-18/19: status_data as the original fills it, or null. */
    static JsonObject statusData(Session session) {
        SchedulerStatus scheduler = session.getScheduler();
        if (scheduler != null) {
            return new JsonObject().put("scheduler", new JsonObject()
                    .put("retries", scheduler.getRetries())
                    .put("last_try", iso(scheduler.getLastTry()))
                    .put("msg", scheduler.getMsg())
                    .put("failed_predicates", new JsonArray(scheduler.getFailedPredicates().stream()
                            .map(failure -> new JsonObject().put("name", failure.getName()).put("msg", failure.getMsg())).toList()))
                    .put("passed_predicates", new JsonArray(scheduler.getPassedPredicates().stream()
                            .map(name -> new JsonObject().put("name", name)).toList())));
        }
        if (session.getError() != null) {
            return new JsonObject().put("error", new JsonObject().put("src", "agent").put("name", "AgentError").put("repr", session.getError()));
        }
        if (session.getStatus() == SessionStatus.TERMINATED || session.getStatus() == SessionStatus.TERMINATING) {
            KernelInfo main = main(session);
            return new JsonObject()
                    .put("kernel", new JsonObject().put("exit_code", main == null ? null : main.getExitCode()))
                    .put("session", new JsonObject().put("status", session.getStatus().name().toLowerCase(java.util.Locale.ROOT)));
        }
        return null;
    }

    private static JsonObject statusHistory(Session session) {
        JsonObject out = new JsonObject();
        session.getStatusHistory().entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .forEach(entry -> out.put(entry.getKey(), Instant.ofEpochMilli(entry.getValue()).toString()));
        return out;
    }

    private static Instant statusChanged(Session session) {
        Long at = session.getStatusHistory().get(session.getStatus().name());
        return at == null ? null : Instant.ofEpochMilli(at);
    }

    /** What the session's kernels hold while agents hold them: its slots times its kernels, none before or after. */
    private static Map<String, Long> occupied(Session session) {
        boolean holding = switch (session.getStatus()) {
            case PENDING, TERMINATED, CANCELLED -> false;
            case SCHEDULED, PULLING, PREPARING, RUNNING, RESTARTING, TERMINATING, ERROR -> true;
        };
        Map<String, Long> out = new LinkedHashMap<>();
        if (holding) session.getSpec().getResources().forEach((slot, amount) -> out.put(slot, amount * session.getSpec().getClusterSize()));
        return out;
    }

    /** The original's ResourceSlot JSON: slot to a decimal string. */
    static JsonObject slots(Map<String, Long> slots) {
        JsonObject out = new JsonObject();
        Slots.present(slots).forEach((slot, amount) -> out.put(slot, amount.toString()));
        return out;
    }

    private static JsonArray agents(Session session) {
        return new JsonArray(session.getKernels().stream().map(KernelInfo::getAgentId).filter(Objects::nonNull).distinct().toList());
    }

    private static String clusterMode(SessionSpec spec) {
        return spec.getClusterMode().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** An image reference's registry: its first part when that is a host, else Docker Hub's, as Docker reads it. */
    static String registry(String image) {
        int slash = image.indexOf('/');
        if (slash > 0) {
            String first = image.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) return first;
        }
        return "index.docker.io";
    }

    private static String encoded(JsonObject json) {
        return json == null ? null : json.encode();
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
