package dev.berth.api.session;

import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.schema.Slots;
import dev.berth.schema.avro.KernelRole;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Completes a create request with what the database knows (API-06/08/09, RES-12, SCH-28): a
 * pure function, so every rule is tested without a server.
 */
public final class CreatePlan {

    /** The owner keypair as creation needs it. */
    public record Owner(String accessKey, String userId, String domain, String bootstrapScript,
                        int maxContainersPerSession, List<String> projects) {}

    /** A scaling group the owner may use, with the session types it accepts. */
    public record Group(String name, boolean isPublic, Set<SessionType> allowedTypes) {}

    /** A known image: its labels and minimum slots. */
    public record Image(Map<String, String> labels, Map<String, Long> minResources) {}

    static final String ROLE_LABEL = "ai.backend.role";
    private static final String DEFAULT_PROJECT = "default";

    private CreatePlan() {}

    /**
     * @param groupsFor the scaling groups allowed for the owner in a project (the union of domain,
     *                  project and keypair associations), active ones only, by name
     * @param preset    the named preset's slots, empty when the request named none or an unknown one
     * @param image     the image's record, empty when Berth does not know the image
     */
    public static SessionSpec decide(CreateRequest request, Owner owner, java.util.function.Function<String, List<Group>> groupsFor,
                                     Optional<Map<String, Long>> preset, Optional<Image> image) {
        SessionSpec asked = request.spec();
        String project = project(request, owner);
        if (owner.maxContainersPerSession() > 0 && asked.getClusterSize() > owner.maxContainersPerSession()) {
            throw new ProblemException(ProblemKind.QUOTA_EXCEEDED, "clusterSize " + asked.getClusterSize()
                    + " is above the keypair resource policy's max_containers_per_session " + owner.maxContainersPerSession());
        }
        Map<String, Long> resources = resources(request, preset, image);
        KernelRole role = image.map(known -> role(known.labels())).orElse(KernelRole.COMPUTE);
        String scalingGroup = scalingGroup(request, asked.getSessionType(), role, groupsFor.apply(project));
        return SessionSpec.newBuilder(asked)
                .setUserId(owner.userId())
                .setDomain(owner.domain())
                .setProject(project)
                .setRole(role)
                .setResources(resources)
                .setScalingGroup(scalingGroup)
                .setBootstrapScript(asked.getBootstrapScript() != null ? asked.getBootstrapScript() : owner.bootstrapScript())
                .build();
    }

    private static String project(CreateRequest request, Owner owner) {
        if (request.project() != null) {
            if (!owner.projects().contains(request.project())) {
                throw ProblemException.invalid("project \"" + request.project() + "\" is not an active project of the owner; its projects: "
                        + owner.projects());
            }
            return request.project();
        }
        if (owner.projects().contains(DEFAULT_PROJECT)) return DEFAULT_PROJECT;
        if (owner.projects().isEmpty()) throw ProblemException.invalid("project: the owner belongs to no active project; name one an admin added it to");
        return owner.projects().getFirst();
    }

    /** The preset's slots overlaid by the ones given; cpu and mem not given come from the image's minimum (API-08). */
    private static Map<String, Long> resources(CreateRequest request, Optional<Map<String, Long>> preset, Optional<Image> image) {
        Map<String, Long> slots = new LinkedHashMap<>();
        if (request.preset() != null) {
            slots.putAll(preset.orElseThrow(() -> ProblemException.invalid("preset: no resource preset named \"" + request.preset() + "\"")));
        }
        slots.putAll(request.spec().getResources());
        for (String intrinsic : List.of(Slots.CPU, Slots.MEM)) {
            Long minimum = image.map(known -> known.minResources().get(intrinsic)).orElse(null);
            if (!slots.containsKey(intrinsic) && minimum != null) slots.put(intrinsic, minimum);
            if (!slots.containsKey(intrinsic)) {
                throw ProblemException.invalid("resources." + intrinsic + " is required: neither the body, the preset nor the image gives it");
            }
        }
        return slots;
    }

    /** SES-06: the image label, COMPUTE when absent or unknown. */
    static KernelRole role(Map<String, String> labels) {
        String label = labels.get(ROLE_LABEL);
        if (label == null) return KernelRole.COMPUTE;
        try {
            return KernelRole.valueOf(label.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return KernelRole.COMPUTE;
        }
    }

    /** RES-12 with API-09: non-SYSTEM sessions only in public groups; a named group must be allowed and accept the type. */
    private static String scalingGroup(CreateRequest request, SessionType type, KernelRole role, List<Group> allowed) {
        List<Group> candidates = allowed.stream().filter(group -> role == KernelRole.SYSTEM || group.isPublic()).toList();
        String typeName = RequestValidation.apiName(type);
        if (request.scalingGroup() != null) {
            Group named = candidates.stream().filter(group -> group.name().equals(request.scalingGroup())).findFirst()
                    .orElseThrow(() -> new ProblemException(ProblemKind.SCALING_GROUP_NOT_FOUND, "scalingGroup \"" + request.scalingGroup()
                            + "\" does not exist or is not allowed for this keypair; allowed: " + candidates.stream().map(Group::name).toList()));
            if (!named.allowedTypes().contains(type)) {
                throw ProblemException.invalid("scalingGroup \"" + named.name() + "\" does not accept " + typeName + " sessions");
            }
            return named.name();
        }
        return candidates.stream().filter(group -> group.allowedTypes().contains(type)).map(Group::name).findFirst()
                .orElseThrow(() -> new ProblemException(ProblemKind.SCALING_GROUP_NOT_FOUND,
                        "scalingGroup: no scaling group allowed for this keypair accepts " + typeName + " sessions"));
    }
}
