package dev.berth.api.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.schema.avro.KernelRole;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionType;
import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CreatePlanTest {

    private static final CreatePlan.Owner OWNER = new CreatePlan.Owner("AKIAOWNER", "user-1", "dom", "echo boot", 2, List.of("alpha", "default"));
    private static final Set<SessionType> ALL = EnumSet.allOf(SessionType.class);
    private static final List<CreatePlan.Group> GROUPS = List.of(
            new CreatePlan.Group("batch-only", true, EnumSet.of(SessionType.BATCH)),
            new CreatePlan.Group("private", false, ALL),
            new CreatePlan.Group("shared", true, ALL));

    private static CreateRequest request(JsonObject extra) {
        JsonObject body = new JsonObject().put("name", "plan-test").put("image", "python:3.12")
                .put("resources", new JsonObject().put("cpu", 1).put("mem", "1g"));
        return RequestValidation.createRequest(body.mergeIn(extra));
    }

    private static SessionSpec decide(CreateRequest request, Optional<Map<String, Long>> preset, Optional<CreatePlan.Image> image) {
        return CreatePlan.decide(request, OWNER, project -> GROUPS, preset, image);
    }

    @Test
    @DisplayName("API-06/SES-06 the owner's user, domain, default project and bootstrap script fill the spec; no image means COMPUTE")
    void ownerFillsTheSpec() {
        SessionSpec spec = decide(request(new JsonObject()), Optional.empty(), Optional.empty());

        assertEquals("user-1", spec.getUserId());
        assertEquals("dom", spec.getDomain());
        assertEquals("default", spec.getProject());
        assertEquals("echo boot", spec.getBootstrapScript());
        assertEquals(KernelRole.COMPUTE, spec.getRole());
        assertEquals("shared", spec.getScalingGroup(), "RES-12: the first allowed public group accepting the type");
    }

    @Test
    @DisplayName("RES-12 without a named group, the first candidate accepting the session type; none is scaling-group-not-found")
    void picksGroupByType() {
        assertEquals("batch-only", decide(request(new JsonObject().put("type", "batch").put("command", "x")), Optional.empty(), Optional.empty())
                .getScalingGroup());
        ProblemException none = assertThrows(ProblemException.class, () -> CreatePlan.decide(request(new JsonObject()), OWNER,
                project -> List.of(GROUPS.getFirst()), Optional.empty(), Optional.empty()));
        assertEquals(ProblemKind.SCALING_GROUP_NOT_FOUND, none.kind());
    }

    @Test
    @DisplayName("API-09 a COMPUTE session may not use a non-public group; a SYSTEM image may")
    void privateGroupsForSystemOnly() {
        ProblemException refused = assertThrows(ProblemException.class,
                () -> decide(request(new JsonObject().put("scalingGroup", "private")), Optional.empty(), Optional.empty()));
        assertEquals(ProblemKind.SCALING_GROUP_NOT_FOUND, refused.kind());
        assertTrue(refused.detail().contains("scalingGroup \"private\""), refused.detail());

        CreatePlan.Image system = new CreatePlan.Image(Map.of("ai.backend.role", "SYSTEM"), Map.of());
        SessionSpec spec = decide(request(new JsonObject().put("scalingGroup", "private")), Optional.empty(), Optional.of(system));
        assertEquals("private", spec.getScalingGroup());
        assertEquals(KernelRole.SYSTEM, spec.getRole());
    }

    @Test
    @DisplayName("RES-12 a named group that does not accept the type is invalid-api-params naming scalingGroup")
    void namedGroupMustAcceptType() {
        ProblemException wrong = assertThrows(ProblemException.class,
                () -> decide(request(new JsonObject().put("scalingGroup", "batch-only")), Optional.empty(), Optional.empty()));
        assertEquals(ProblemKind.INVALID_API_PARAMS, wrong.kind());
        assertTrue(wrong.detail().startsWith("scalingGroup"), wrong.detail());
    }

    @Test
    @DisplayName("SCH-28 clusterSize above max_containers_per_session is quota-exceeded; 0 means unlimited")
    void clusterSizeLimit() {
        ProblemException over = assertThrows(ProblemException.class,
                () -> decide(request(new JsonObject().put("clusterSize", 3)), Optional.empty(), Optional.empty()));
        assertEquals(ProblemKind.QUOTA_EXCEEDED, over.kind());
        assertEquals(2, decide(request(new JsonObject().put("clusterSize", 2)), Optional.empty(), Optional.empty()).getClusterSize());

        CreatePlan.Owner unlimited = new CreatePlan.Owner("AK", "u", "d", null, 0, List.of("default"));
        assertEquals(9, CreatePlan.decide(request(new JsonObject().put("clusterSize", 9)), unlimited, project -> GROUPS,
                Optional.empty(), Optional.empty()).getClusterSize());
    }

    @Test
    @DisplayName("RES-03/API-08 a preset gives the slots the body leaves out; the image's minimum fills cpu and mem last")
    void presetAndImageMinimums() {
        CreateRequest onlyPreset = RequestValidation.createRequest(new JsonObject().put("name", "with-preset").put("image", "python:3.12")
                .put("preset", "p").put("resources", new JsonObject().put("cpu", 2)));
        SessionSpec spec = decide(onlyPreset, Optional.of(Map.of("cpu", 1000L, "mem", 1L << 30, "cuda.shares", 500L)), Optional.empty());
        assertEquals(Map.of("cpu", 2000L, "mem", 1L << 30, "cuda.shares", 500L), spec.getResources());

        CreateRequest bare = RequestValidation.createRequest(new JsonObject().put("name", "bare-image").put("image", "python:3.12")
                .put("preset", "p"));
        CreatePlan.Image image = new CreatePlan.Image(Map.of(), Map.of("cpu", 500L, "mem", 64L << 20));
        assertEquals(Map.of("cpu", 500L, "mem", 64L << 20), decide(bare, Optional.of(Map.of()), Optional.of(image)).getResources());

        ProblemException unknown = assertThrows(ProblemException.class, () -> decide(bare, Optional.empty(), Optional.empty()));
        assertTrue(unknown.detail().startsWith("preset"), unknown.detail());

        CreateRequest noMem = RequestValidation.createRequest(new JsonObject().put("name", "no-memory").put("image", "python:3.12")
                .put("resources", new JsonObject().put("cpu", 1)));
        ProblemException missing = assertThrows(ProblemException.class, () -> decide(noMem, Optional.empty(), Optional.empty()));
        assertTrue(missing.detail().startsWith("resources.mem is required"), missing.detail());
    }

    @Test
    @DisplayName("a named project must be one of the owner's; an unknown role label is COMPUTE")
    void projectAndRole() {
        assertEquals("alpha", decide(request(new JsonObject().put("project", "alpha")), Optional.empty(), Optional.empty()).getProject());
        ProblemException foreign = assertThrows(ProblemException.class,
                () -> decide(request(new JsonObject().put("project", "beta")), Optional.empty(), Optional.empty()));
        assertTrue(foreign.detail().startsWith("project"), foreign.detail());
        assertEquals(KernelRole.INFERENCE, CreatePlan.role(Map.of("ai.backend.role", "inference")));
        assertEquals(KernelRole.COMPUTE, CreatePlan.role(Map.of("ai.backend.role", "wizard")));
    }

    @Test
    @DisplayName("image references: the tag follows the last ':' after the last '/', else latest")
    void imageRefs() {
        assertEquals(new ImageRef("python", "3.12"), ImageRef.parse("python:3.12"));
        assertEquals(new ImageRef("registry:5000/team/python", "latest"), ImageRef.parse("registry:5000/team/python"));
        assertEquals(new ImageRef("registry:5000/team/python", "3"), ImageRef.parse("registry:5000/team/python:3"));
    }
}
