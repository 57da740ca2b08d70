package dev.berth.api.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.api.webhook.UrlPolicy;
import dev.berth.schema.avro.ClusterMode;
import dev.berth.schema.avro.SessionSpec;
import dev.berth.schema.avro.SessionStatus;
import dev.berth.schema.avro.SessionType;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestValidationTest {

    /** The smallest valid create body; each bad case changes one thing in it. */
    private static JsonObject minimal() {
        return new JsonObject()
                .put("name", "my-session")
                .put("image", "python:3.12")
                .put("resources", new JsonObject().put("cpu", 1).put("mem", "256m"));
    }

    private static JsonObject with(Consumer<JsonObject> change) {
        JsonObject body = minimal();
        change.accept(body);
        return body;
    }

    private static JsonObject resources(JsonObject body) {
        return body.getJsonObject("resources");
    }

    @Test
    @DisplayName("API-01 a minimal body gives a spec with the defaults and slots in base units (cpu 1 -> 1000, 256m -> bytes)")
    void minimalBody() {
        SessionSpec spec = RequestValidation.createSpec(minimal());

        assertEquals("my-session", spec.getName());
        assertEquals("python:3.12", spec.getImage());
        assertEquals(Map.of("cpu", 1000L, "mem", 268_435_456L), spec.getResources());
        assertEquals(SessionType.INTERACTIVE, spec.getSessionType());
        assertEquals(ClusterMode.SINGLE_NODE, spec.getClusterMode());
        assertEquals(1, spec.getClusterSize());
        assertEquals("default", spec.getScalingGroup());
        assertEquals("x86_64", spec.getArchitecture());
        assertEquals(Map.of(), spec.getEnviron());
        assertNull(spec.getCommand());
        assertNull(spec.getCallbackUrl());
        assertNull(spec.getTag());
    }

    @Test
    @DisplayName("API-01/02 every optional field is carried into the spec")
    void fullBody() {
        JsonObject body = minimal()
                .put("type", "batch")
                .put("clusterMode", "multi-node")
                .put("clusterSize", 3)
                .put("command", "python train.py")
                .put("scalingGroup", "gpu")
                .put("architecture", "aarch64")
                .put("environ", new JsonObject().put("SEED", "42"))
                .put("callbackUrl", "https://hooks.example.com/berth")
                .put("tag", "nightly");
        resources(body).put("cuda.shares", 0.5).put("mem", 1_073_741_824L);

        SessionSpec spec = RequestValidation.createSpec(body);

        assertEquals(SessionType.BATCH, spec.getSessionType());
        assertEquals(ClusterMode.MULTI_NODE, spec.getClusterMode());
        assertEquals(3, spec.getClusterSize());
        assertEquals("python train.py", spec.getCommand());
        assertEquals("gpu", spec.getScalingGroup());
        assertEquals("aarch64", spec.getArchitecture());
        assertEquals(Map.of("SEED", "42"), spec.getEnviron());
        assertEquals("https://hooks.example.com/berth", spec.getCallbackUrl());
        assertEquals("nightly", spec.getTag());
        assertEquals(Map.of("cpu", 1000L, "mem", 1_073_741_824L, "cuda.shares", 500L), spec.getResources());
    }

    static Stream<Arguments> badBodies() {
        return Stream.of(
                Arguments.of(with(b -> b.remove("name")), "name is required"),
                Arguments.of(with(b -> b.put("name", "abc")), "name must be 4 to 64"),
                Arguments.of(with(b -> b.put("name", "a".repeat(65))), "name must be 4 to 64"),
                Arguments.of(with(b -> b.put("name", "-abcd")), "name must be 4 to 64"),
                Arguments.of(with(b -> b.put("name", "abcd.")), "name must be 4 to 64"),
                Arguments.of(with(b -> b.put("name", "séance")), "name must be 4 to 64"),
                Arguments.of(with(b -> b.put("name", "has space")), "name must be 4 to 64"),
                Arguments.of(with(b -> b.put("name", 1234)), "name must be a string"),
                Arguments.of(with(b -> b.put("name", "from-template")), "name \"from-template\" is reserved"),
                Arguments.of(with(b -> b.remove("image")), "image is required"),
                Arguments.of(with(b -> b.put("image", " ")), "image must not be blank"),
                Arguments.of(with(b -> b.put("resources", new JsonArray().add(1))), "resources must be an object"),
                Arguments.of(with(b -> resources(b).put("cpu", 0)), "resources.cpu must be greater than 0"),
                Arguments.of(with(b -> resources(b).put("mem", "0")), "resources.mem must be greater than 0"),
                Arguments.of(with(b -> resources(b).put("mem", -5)), "resources.mem must not be negative"),
                Arguments.of(with(b -> resources(b).put("mem", "-1g")), "resources.mem must not be negative"),
                Arguments.of(with(b -> resources(b).put("mem", "lots")), "resources.mem must be a size"),
                Arguments.of(with(b -> resources(b).put("cpu", true)), "resources.cpu must be a number"),
                Arguments.of(with(b -> resources(b).put("cpu", 0.0001)), "resources.cpu allows at most three decimals"),
                Arguments.of(with(b -> resources(b).put("cuda.shares", "half")), "resources.cuda.shares must be a number"),
                Arguments.of(with(b -> resources(b).put("gpu", 1)), "resources.gpu is not a known slot"),
                Arguments.of(with(b -> b.put("clusterSize", 0)), "clusterSize must be an integer in 1..64"),
                Arguments.of(with(b -> b.put("clusterSize", 65)), "clusterSize must be an integer in 1..64"),
                Arguments.of(with(b -> b.put("clusterSize", 1.5)), "clusterSize must be an integer in 1..64"),
                Arguments.of(with(b -> b.put("clusterSize", "2")), "clusterSize must be an integer in 1..64"),
                Arguments.of(with(b -> b.put("type", "gpu")), "type must be one of interactive, batch, inference"),
                Arguments.of(with(b -> b.put("clusterMode", "single")), "clusterMode must be one of single-node, multi-node"),
                Arguments.of(with(b -> b.put("environ", "A=1")), "environ must be an object"),
                Arguments.of(with(b -> b.put("environ", new JsonObject().put("A", 1))), "environ.A must be a string"),
                Arguments.of(with(b -> b.put("callbackUrl", "ftp://example.com/x")), "callbackUrl must be an http or https URL"),
                Arguments.of(with(b -> b.put("callbackUrl", "not a url")), "callbackUrl must be an http or https URL"),
                Arguments.of(with(b -> b.put("callbackUrl", "http://127.0.0.1:9000/hook")), "callbackUrl must not name a loopback host"),
                Arguments.of(with(b -> b.put("callbackUrl", "http://169.254.169.254/")), "callbackUrl names a denied host"),
                Arguments.of(with(b -> b.put("callbackUrl", "https://h.example.com/" + "x".repeat(2048))), "callbackUrl must be at most 2048 characters"),
                Arguments.of(with(b -> b.put("callbackUrl", 42)), "callbackUrl must be a string"),
                Arguments.of(with(b -> b.put("scalingGroup", 5)), "scalingGroup must be a string"),
                Arguments.of(with(b -> b.put("command", "")), "command must not be blank"),
                Arguments.of(with(b -> b.put("gpus", 2).put("agentList", "a")), "unknown field(s) agentList, gpus"));
    }

    @Test
    @DisplayName("HOOK in development mode a loopback callbackUrl is accepted")
    void loopbackCallbackInDevelopment() {
        UrlPolicy dev = new UrlPolicy(true, UrlPolicy.rules(UrlPolicy.DEFAULT_DENY));
        JsonObject body = with(b -> b.put("callbackUrl", "http://127.0.0.1:9000/hook"));
        assertEquals("http://127.0.0.1:9000/hook", RequestValidation.createRequest(body, dev).spec().getCallbackUrl());
        assertInvalid(() -> RequestValidation.createRequest(body, UrlPolicy.DEFAULT), "callbackUrl must not name a loopback host");
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badBodies")
    @DisplayName("API-01 a bad create body is invalid-api-params naming the field")
    void badBody(JsonObject body, String expectedProblem) {
        assertInvalid(() -> RequestValidation.createSpec(body), expectedProblem);
    }

    @Test
    @DisplayName("API-01 every problem of a body is reported in one answer")
    void reportsAllProblems() {
        JsonObject body = with(b -> resources(b.put("name", "x")).put("mem", -1));

        ProblemException problem = assertThrows(ProblemException.class, () -> RequestValidation.createSpec(body));

        assertTrue(problem.detail().contains("name must be"), problem.detail());
        assertTrue(problem.detail().contains("resources.mem must not be negative"), problem.detail());
    }

    @Test
    @DisplayName("a body that is not a JSON object is invalid-api-params")
    void bodyMustBeAnObject() {
        assertInvalid(() -> RequestValidation.jsonObject(Buffer.buffer("{\"name\": ")), "not valid JSON");
        assertInvalid(() -> RequestValidation.jsonObject(Buffer.buffer("[1, 2]")), "must be a JSON object");
        assertInvalid(() -> RequestValidation.jsonObject(Buffer.buffer("")), "must be a JSON object, got nothing");
        assertEquals(new JsonObject().put("a", 1), RequestValidation.jsonObject(Buffer.buffer("{\"a\": 1}")));
    }

    @Test
    @DisplayName("API-21 a rename takes a valid name and nothing else")
    void renameBody() {
        assertEquals("new.name_2", RequestValidation.newName(new JsonObject().put("name", "new.name_2")));
        assertInvalid(() -> RequestValidation.newName(new JsonObject().put("name", "x!")), "name must be 4 to 64");
        assertInvalid(() -> RequestValidation.newName(new JsonObject()), "name is required");
        assertInvalid(() -> RequestValidation.newName(new JsonObject().put("name", "abcd").put("force", true)),
                "unknown field(s) force");
    }

    @Test
    @DisplayName("SES-01 a session id must be a UUID and is read in canonical lower case")
    void sessionIds() {
        assertEquals("0f8fad5b-d9cb-469f-a165-70867728950e",
                RequestValidation.sessionId("0F8FAD5B-D9CB-469F-A165-70867728950E"));
        assertInvalid(() -> RequestValidation.sessionId("not-a-uuid"), "the session id must be a UUID");
        assertInvalid(() -> RequestValidation.sessionId("1-2-3-4-5"), "the session id must be a UUID");
    }

    @Test
    @DisplayName("a list's status filter takes known status names, comma-separated")
    void statusFilter() {
        assertEquals(EnumSet.of(SessionStatus.RUNNING, SessionStatus.PENDING), RequestValidation.statusFilter("RUNNING, pending"));
        assertEquals(EnumSet.allOf(SessionStatus.class), RequestValidation.statusFilter(null));
        assertInvalid(() -> RequestValidation.statusFilter("RUNNING,SLEEPING"), "status has an unknown name \"SLEEPING\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1001", "ten", "-3"})
    @DisplayName("a list's limit is an integer in 1..1000")
    void badLimit(String limit) {
        assertInvalid(() -> RequestValidation.limit(limit), "limit must be an integer in 1..1000");
    }

    @Test
    @DisplayName("a list's limit defaults to 100")
    void defaultLimit() {
        assertEquals(100, RequestValidation.limit(null));
        assertEquals(1000, RequestValidation.limit("1000"));
    }

    @Test
    @DisplayName("API-12 forced is a boolean, false when absent")
    void forced() {
        assertEquals(false, RequestValidation.forced(null));
        assertEquals(true, RequestValidation.forced("TRUE"));
        assertInvalid(() -> RequestValidation.forced("yes"), "forced must be true or false");
    }

    private static void assertInvalid(Executable call, String expectedProblem) {
        ProblemException problem = assertThrows(ProblemException.class, call);
        assertEquals(ProblemKind.INVALID_API_PARAMS, problem.kind());
        assertTrue(problem.detail().contains(expectedProblem),
                () -> "expected \"" + expectedProblem + "\" in \"" + problem.detail() + "\"");
    }
}
