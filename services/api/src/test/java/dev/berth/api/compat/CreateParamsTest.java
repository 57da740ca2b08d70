package dev.berth.api.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import dev.berth.api.session.CreateRequest;
import dev.berth.api.session.RequestValidation;
import dev.berth.schema.avro.ClusterMode;
import dev.berth.schema.avro.SessionType;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CreateParamsTest {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    @Test
    @DisplayName("API-01/02 the JavaScript client's create (lang, clientSessionToken, config.resources as strings) is a valid native create")
    void javascriptClient() {
        CreateParams params = CreateParams.of(new JsonObject("""
                {"lang": "python:3.12", "clientSessionToken": "js-one", "config": {"resources": {"cpu": "1", "mem": "256m"},
                 "scaling_group": "default"}, "group_name": "default", "domain": "default", "type": "batch",
                 "startupCommand": "echo hi", "enqueueOnly": true}"""), NOW);
        CreateRequest request = RequestValidation.createRequest(params.bodyWith(List.of()));
        assertEquals("js-one", request.spec().getName());
        assertEquals("python:3.12", request.spec().getImage());
        assertEquals(Map.of("cpu", 1000L, "mem", 256L << 20), request.spec().getResources());
        assertEquals("default", request.scalingGroup());
        assertEquals("default", request.project());
        assertEquals(SessionType.BATCH, request.spec().getSessionType());
        assertEquals("echo hi", request.spec().getCommand());
        assertEquals("default", params.domain());
        assertTrue(params.enqueueOnly());
        assertTrue(params.reuseIfExists(), "reuseIfExists defaults to true");
    }

    @Test
    @DisplayName("API-01 the Python client's create sends every key, most null: null is absent; v6 root cluster keys and every alias map")
    void pythonClient() {
        CreateParams params = CreateParams.of(new JsonObject("""
                {"name": "py-one", "image": "busybox", "tag": null, "enqueueOnly": false, "maxWaitSeconds": 5, "reuseIfExists": false,
                 "startupCommand": null, "bootstrap_script": null, "callback_url": null, "starts_at": null, "owner_access_key": null,
                 "cluster_size": 2, "cluster_mode": "multi-node", "dependencies": null, "group": "default", "domain": "default",
                 "type": "interactive", "architecture": "aarch64",
                 "config": {"mounts": [], "mount_map": {}, "environ": {"A": "1"}, "scaling_group": null, "resources": {"cpu": 1, "mem": "1g"},
                            "resource_opts": {}, "preopen_ports": [], "agent_list": null}}"""), NOW);
        CreateRequest request = RequestValidation.createRequest(params.bodyWith(List.of()));
        assertEquals(2, request.spec().getClusterSize());
        assertEquals(ClusterMode.MULTI_NODE, request.spec().getClusterMode());
        assertEquals("aarch64", request.spec().getArchitecture());
        assertEquals(Map.of("A", "1"), request.spec().getEnviron());
        assertNull(request.scalingGroup());
        assertNull(request.spec().getTag());
        assertFalse(params.reuseIfExists());
        assertEquals(5, params.maxWaitSeconds());
    }

    @Test
    @DisplayName("API-01 second aliases: sessionType, clusterSize, callbackURL, bootstrapScript, config.scalingGroup, v4 config.cluster_size")
    void otherAliases() {
        CreateParams params = CreateParams.of(new JsonObject("""
                {"name": "alias-one", "image": "x", "sessionType": "batch", "callbackURL": "https://hooks.example.org/x",
                 "bootstrapScript": "echo boot", "startupCommand": "true", "ownerAccessKey": "AKOTHER1",
                 "config": {"scalingGroup": "gpu", "cluster_size": 3, "resources": {"cpu": 1, "mem": "1g"}}}"""), NOW);
        JsonObject body = params.body();
        assertEquals("batch", body.getString("type"));
        assertEquals("https://hooks.example.org/x", body.getString("callbackUrl"));
        assertEquals("echo boot", body.getString("bootstrapScript"));
        assertEquals("gpu", body.getString("scalingGroup"));
        assertEquals(3, body.getInteger("clusterSize"));
        assertEquals("AKOTHER1", body.getString("ownerAccessKey"));
        assertEquals("config.cluster_size", params.fieldNames().get("clusterSize"));
        assertEquals("callbackURL", params.fieldNames().get("callbackUrl"));
    }

    @Test
    @DisplayName("starts_at: ISO with an offset, without one as UTC, or a duration from now")
    void startsAt() {
        assertEquals(Instant.parse("2026-12-01T08:00:00Z"), CreateParams.startTime("2026-12-01T17:00:00+09:00", NOW));
        assertEquals(Instant.parse("2026-12-01T08:00:00Z"), CreateParams.startTime("2026-12-01T08:00:00", NOW));
        assertEquals(NOW.plusSeconds(5400), CreateParams.startTime("1h30m", NOW));
        assertEquals(NOW.plusSeconds(2 * 86400), CreateParams.startTime("2d", NOW));
        assertNull(CreateParams.startTime("soon", NOW));
        assertNull(CreateParams.startTime("1h soon", NOW));
        CreateParams params = CreateParams.of(new JsonObject("""
                {"name": "later", "image": "x", "type": "batch", "startsAt": "10m", "config": {"resources": {"cpu": 1, "mem": "1g"}}}"""), NOW);
        assertEquals(NOW.plusSeconds(600).toString(), params.body().getString("startsAt"));
        ProblemException bad = assertThrows(ProblemException.class, () -> CreateParams.of(new JsonObject("""
                {"name": "later", "image": "x", "starts_at": "whenever"}"""), NOW));
        assertTrue(bad.detail().startsWith("starts_at "), bad.detail());
    }

    @Test
    @DisplayName("API-03 from-template is reserved; unknown keys are ignored; bad flags name the client's key")
    void refusals() {
        ProblemException reserved = assertThrows(ProblemException.class, () -> CreateParams.of(new JsonObject("""
                {"clientSessionToken": "from-template", "lang": "x"}"""), NOW));
        assertEquals(ProblemKind.INVALID_API_PARAMS, reserved.kind());
        assertTrue(reserved.detail().startsWith("clientSessionToken "), reserved.detail());
        CreateParams.of(new JsonObject("{\"name\": \"fine-one\", \"image\": \"x\", \"someFutureKey\": {\"a\": 1}}"), NOW);
        ProblemException flag = assertThrows(ProblemException.class, () -> CreateParams.of(new JsonObject("""
                {"name": "flags", "image": "x", "enqueueOnly": "maybe", "maxWaitSeconds": -1}"""), NOW));
        assertTrue(flag.detail().contains("enqueueOnly must be true or false"), flag.detail());
        assertTrue(flag.detail().contains("maxWaitSeconds must be an integer >= 0"), flag.detail());
    }

    @Test
    @DisplayName("features Berth lacks (vfolder mounts, preopen ports, agent lists) are not-implemented-api when given, fine when empty")
    void missingFeatures() {
        ProblemException mounts = assertThrows(ProblemException.class, () -> CreateParams.of(new JsonObject("""
                {"name": "mounts", "image": "x", "config": {"mounts": ["data"]}}"""), NOW));
        assertEquals(ProblemKind.NOT_IMPLEMENTED_API, mounts.kind());
        assertTrue(mounts.detail().contains("config.mounts"), mounts.detail());
        ProblemException agents = assertThrows(ProblemException.class, () -> CreateParams.of(new JsonObject("""
                {"name": "agents", "image": "x", "config": {"agentList": ["i-1"]}}"""), NOW));
        assertTrue(agents.detail().contains("config.agentList"), agents.detail());
    }

    @Test
    @DisplayName("ERR-04 a native problem names the client's keys: config.resources.mem, cluster_size, group; data maps each field")
    void problemsNameOriginalKeys() {
        CreateParams params = CreateParams.of(new JsonObject("""
                {"name": "bad-one", "lang": "x", "clusterSize": 0, "config": {"resources": {"cpu": 1, "mem": "-1g"}}}"""), NOW);
        ProblemException native_ = assertThrows(ProblemException.class, () -> RequestValidation.createRequest(params.bodyWith(List.of())));
        JsonObject body = OriginalProblems.body(native_, params.fieldNames());
        assertEquals("https://api.backend.ai/probs/invalid-api-params", body.getString("type"));
        assertTrue(body.getString("msg").contains("clusterSize must be"), body.encode());
        assertTrue(body.getString("msg").contains("config.resources.mem must not be negative"), body.encode());
        assertEquals(body.getString("msg"), body.getString("detail"));
        assertTrue(body.getJsonObject("data").containsKey("config.resources.mem"), body.encode());
        JsonObject missing = OriginalProblems.body(ProblemException.invalid("project \"p9\" is not an active project of the owner"),
                CreateParams.of(new JsonObject("{\"name\": \"n-one\", \"image\": \"x\", \"groupName\": \"p9\"}"), NOW).fieldNames());
        assertTrue(missing.getString("msg").startsWith("groupName \"p9\""), missing.encode());
    }
}
