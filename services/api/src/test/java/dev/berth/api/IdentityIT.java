package dev.berth.api;

import static dev.berth.api.TestApi.HOST;
import static dev.berth.api.TestApi.join;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.KafkaClients;
import dev.berth.identity.Keys;
import dev.berth.identity.RequestSigner;
import dev.berth.identity.TestDatabases;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.schema.avro.ResourceLimits;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Identity, policies and the admin API on the real PostgreSQL, Redis and an embedded broker, with
 * two API instances sharing them: signatures, roles, segregation, admin input, the outbox and
 * rate limits.
 */
class IdentityIT {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private static TestApi api;
    private static Topics topics;
    private static int portA;
    private static int portB;
    private static WebClient client;
    private static Keys.Keypair superadmin;

    @BeforeAll
    static void start() throws Exception {
        // the rate window is the shared configuration's, seeded as ApiMain seeds it
        api = TestApi.startSeeded(1, Map.of("BERTH_API_RATE_WINDOW", "60s"));
        topics = api.topics();
        portA = api.port();
        portB = api.serve();
        client = api.client();
        superadmin = api.superadmin();
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) api.close();
    }

    // ---- AUTH-02..05 ----

    @Test
    @DisplayName("AUTH-04 no Authorization header is 401; a malformed one 400; a missing version 400")
    void missingOrMalformedHeaders() throws Exception {
        HttpResponse<Buffer> unsigned = join(client.request(HttpMethod.GET, portA, HOST, "/v1/sessions").send());
        assertProblem(unsigned, 401, "auth-failed", "missing Authorization");

        HttpResponse<Buffer> malformed = join(client.request(HttpMethod.GET, portA, HOST, "/v1/sessions")
                .putHeader("Authorization", "BackendAI credential-only").send());
        assertProblem(malformed, 400, "invalid-auth-params", "signMethod");

        Map<String, String> headers = RequestSigner.headers(superadmin.accessKey(), superadmin.secretKey(), "GET", "/v1/sessions",
                HOST + ":" + portA, null, Instant.now());
        HttpRequest<Buffer> noVersion = client.request(HttpMethod.GET, portA, HOST, "/v1/sessions");
        headers.forEach((name, value) -> { if (!name.equals(RequestSigner.VERSION_HEADER)) noVersion.putHeader(name, value); });
        assertProblem(join(noVersion.send()), 400, "invalid-auth-params", "X-BackendAI-Version");
    }

    @Test
    @DisplayName("AUTH-04 a signed request with neither X-BackendAI-Date nor Date is 400 invalid-auth-params; an unreadable date too")
    void missingDate() throws Exception {
        Map<String, String> headers = RequestSigner.headers(superadmin.accessKey(), superadmin.secretKey(), "GET", "/v1/sessions",
                HOST + ":" + portA, null, Instant.now());
        HttpRequest<Buffer> undated = client.request(HttpMethod.GET, portA, HOST, "/v1/sessions");
        headers.forEach((name, value) -> { if (!name.equals(RequestSigner.DATE_HEADER)) undated.putHeader(name, value); });
        assertProblem(join(undated.send()), 400, "invalid-auth-params", "missing X-BackendAI-Date (or Date) header");

        HttpRequest<Buffer> unreadable = client.request(HttpMethod.GET, portA, HOST, "/v1/sessions");
        headers.forEach(unreadable::putHeader);
        unreadable.putHeader(RequestSigner.DATE_HEADER, "yesterday");
        assertProblem(join(unreadable.send()), 400, "invalid-auth-params", "\"yesterday\"");
    }

    @Test
    @DisplayName("AUTH-02 a request whose path differs from the signed one (tampered query) is 401 signature mismatch")
    void tamperedPath() throws Exception {
        Map<String, String> headers = RequestSigner.headers(superadmin.accessKey(), superadmin.secretKey(), "GET", "/v1/sessions?limit=5",
                HOST + ":" + portA, null, Instant.now());
        HttpRequest<Buffer> tampered = client.request(HttpMethod.GET, portA, HOST, "/v1/sessions?limit=500");
        headers.forEach(tampered::putHeader);

        assertProblem(join(tampered.send()), 401, "auth-failed", "signature mismatch");
    }

    @Test
    @DisplayName("AUTH-04 a correctly signed request replayed 20 minutes later is outside the ±15 min window: 401")
    void replayOutsideWindow() throws Exception {
        Map<String, String> headers = RequestSigner.headers(superadmin.accessKey(), superadmin.secretKey(), "GET", "/v1/sessions",
                HOST + ":" + portA, null, Instant.now().minus(Duration.ofMinutes(20)));
        HttpRequest<Buffer> replayed = client.request(HttpMethod.GET, portA, HOST, "/v1/sessions");
        headers.forEach(replayed::putHeader);

        assertProblem(join(replayed.send()), 401, "auth-failed", "window");
    }

    @Test
    @DisplayName("AUTH-03 an unknown access key and a wrong secret are 401; an RFC 1123 Date header signs as well as X-BackendAI-Date")
    void keysAndDates() throws Exception {
        assertProblem(callAs(new Keys.Keypair("AKIANOBODY00000000", "x"), portA, HttpMethod.GET, "/v1/sessions", null),
                401, "auth-failed", "unknown access key");
        assertProblem(callAs(new Keys.Keypair(superadmin.accessKey(), "not-the-secret"), portA, HttpMethod.GET, "/v1/sessions", null),
                401, "auth-failed", "signature mismatch");

        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(now.atOffset(ZoneOffset.UTC));
        String host = HOST + ":" + portA;
        String signature = RequestSigner.signature(superadmin.secretKey(), now,
                RequestSigner.stringToSign("GET", "/v1/sessions", date, host, null, RequestSigner.API_VERSION), host);
        HttpResponse<Buffer> rfc = join(client.request(HttpMethod.GET, portA, HOST, "/v1/sessions")
                .putHeader("Date", date)
                .putHeader(RequestSigner.VERSION_HEADER, RequestSigner.API_VERSION)
                .putHeader("Authorization", RequestSigner.authorization(superadmin.accessKey(), signature))
                .send());
        assertEquals(200, rfc.statusCode(), rfc.bodyAsString());
    }

    @Test
    @DisplayName("AUTH-09 a deactivated keypair, the keypair of a deactivated user, or of a user of a deactivated domain is refused with 401")
    void inactiveKeypairs() throws Exception {
        User user = newUser("inactive", "default", "user");
        assertEquals(200, callAs(user.keypair(), portA, HttpMethod.GET, "/v1/sessions", null).statusCode());

        assertEquals(200, admin(HttpMethod.DELETE, "/v1/admin/keypairs/" + user.keypair().accessKey(), null).statusCode());
        assertProblem(callAs(user.keypair(), portA, HttpMethod.GET, "/v1/sessions", null), 401, "auth-failed", "inactive");

        User other = newUser("gone", "default", "user");
        HttpResponse<Buffer> deactivated = admin(HttpMethod.DELETE, "/v1/admin/users/" + other.id(), null);
        assertEquals("admin-requested", deactivated.bodyAsJsonObject().getString("statusInfo"));
        assertProblem(callAs(other.keypair(), portA, HttpMethod.GET, "/v1/sessions", null), 401, "auth-failed", "inactive");

        String domain = "closing-" + suffix();
        ok(admin(HttpMethod.POST, "/v1/admin/domains", new JsonObject().put("name", domain)));
        User member = newUser("member", domain, "user");
        assertEquals(200, callAs(member.keypair(), portA, HttpMethod.GET, "/v1/sessions", null).statusCode());
        ok(admin(HttpMethod.DELETE, "/v1/admin/domains/" + domain, null));
        assertProblem(callAs(member.keypair(), portA, HttpMethod.GET, "/v1/sessions", null), 401, "auth-failed", "inactive");
        await().atMost(DEADLINE).untilAsserted(() -> {
            byte[] value = latest(topics.configKeypairs.name()).get(member.keypair().accessKey());
            assertNotNull(value);
            assertFalse(BerthSerdes.KEYPAIR_CONFIG.deserialize("", value).getActive(), "the scheduler hears the domain closed too");
        });
    }

    // ---- AUTH-06 roles and segregation ----

    @Test
    @DisplayName("AUTH-06 a user cannot read, list or delete another user's session; its domain admin and the superadmin can")
    void sessionSegregation() throws Exception {
        User alice = newUser("alice", "default", "user");
        User bob = newUser("bob", "default", "user");
        String otherDomain = "seg-" + suffix();
        ok(admin(HttpMethod.POST, "/v1/admin/domains", new JsonObject().put("name", otherDomain)));
        User foreignAdmin = newUser("foreign-admin", otherDomain, "admin");
        User homeAdmin = newUser("home-admin", "default", "admin");

        HttpResponse<Buffer> created = callAs(alice.keypair(), portA, HttpMethod.POST, "/v1/sessions", session("alice-s1"));
        assertEquals(201, created.statusCode(), created.bodyAsString());
        String id = created.bodyAsJsonObject().getString("sessionId");

        assertEquals(200, callAs(alice.keypair(), portA, HttpMethod.GET, "/v1/sessions/" + id, null).statusCode());
        for (User outsider : List.of(bob, foreignAdmin)) {
            assertProblem(callAs(outsider.keypair(), portA, HttpMethod.GET, "/v1/sessions/" + id, null), 404, "session-not-found", id);
            assertProblem(callAs(outsider.keypair(), portB, HttpMethod.DELETE, "/v1/sessions/" + id, null), 404, "session-not-found", id);
            assertFalse(ids(callAs(outsider.keypair(), portA, HttpMethod.GET, "/v1/sessions", null)).contains(id));
        }
        assertTrue(ids(callAs(homeAdmin.keypair(), portA, HttpMethod.GET, "/v1/sessions", null)).contains(id));
        assertTrue(ids(callAs(superadmin, portB, HttpMethod.GET, "/v1/sessions", null)).contains(id));
        assertTrue(ids(callAs(alice.keypair(), portB, HttpMethod.GET, "/v1/sessions", null)).contains(id));
    }

    @Test
    @DisplayName("API-10 a superadmin creates a session for another keypair; a user may not; a domain admin not across domains")
    void onBehalfOf() throws Exception {
        User carol = newUser("carol", "default", "user");
        User dave = newUser("dave", "default", "user");
        String otherDomain = "obo-" + suffix();
        ok(admin(HttpMethod.POST, "/v1/admin/domains", new JsonObject().put("name", otherDomain)));
        User foreignAdmin = newUser("obo-admin", otherDomain, "admin");

        HttpResponse<Buffer> forCarol = callAs(superadmin, portA, HttpMethod.POST, "/v1/sessions",
                session("for-carol").put("ownerAccessKey", carol.keypair().accessKey()));
        assertEquals(201, forCarol.statusCode(), forCarol.bodyAsString());
        String id = forCarol.bodyAsJsonObject().getString("sessionId");
        JsonObject seen = callAs(carol.keypair(), portA, HttpMethod.GET, "/v1/sessions/" + id, null).bodyAsJsonObject();
        assertEquals(carol.keypair().accessKey(), seen.getString("accessKey"));

        assertProblem(callAs(dave.keypair(), portA, HttpMethod.POST, "/v1/sessions",
                session("for-carol-2").put("ownerAccessKey", carol.keypair().accessKey())), 403, "generic-forbidden", "ownerAccessKey");
        assertProblem(callAs(foreignAdmin.keypair(), portA, HttpMethod.POST, "/v1/sessions",
                session("for-carol-3").put("ownerAccessKey", carol.keypair().accessKey())), 403, "generic-forbidden", "own domain");
    }

    @Test
    @DisplayName("AUTH-06 a domain admin manages its own domain only: no users elsewhere, no superadmins, no global policies; a user no admin calls")
    void domainAdminBoundaries() throws Exception {
        String domain = "dom-" + suffix();
        ok(admin(HttpMethod.POST, "/v1/admin/domains", new JsonObject().put("name", domain)));
        User domainAdmin = newUser("dadmin", domain, "admin");
        User stranger = newUser("stranger", "default", "user");

        HttpResponse<Buffer> inOwn = callAs(domainAdmin.keypair(), portA, HttpMethod.POST, "/v1/admin/users",
                userBody("own-" + suffix(), domain, "user"));
        assertEquals(201, inOwn.statusCode(), inOwn.bodyAsString());
        assertProblem(callAs(domainAdmin.keypair(), portA, HttpMethod.POST, "/v1/admin/users", userBody("x-" + suffix(), "default", "user")),
                403, "insufficient-privilege", "domain");
        assertProblem(callAs(domainAdmin.keypair(), portA, HttpMethod.POST, "/v1/admin/users", userBody("su-" + suffix(), domain, "superadmin")),
                403, "insufficient-privilege", "superadmin");
        assertProblem(callAs(domainAdmin.keypair(), portA, HttpMethod.GET, "/v1/admin/users/" + stranger.id(), null),
                404, "object-not-found", stranger.id());
        assertProblem(callAs(domainAdmin.keypair(), portA, HttpMethod.PATCH, "/v1/admin/users/" + stranger.id(),
                new JsonObject().put("fullName", "renamed")), 404, "object-not-found", stranger.id());
        JsonObject listed = callAs(domainAdmin.keypair(), portA, HttpMethod.GET, "/v1/admin/users?limit=1000", null).bodyAsJsonObject();
        assertTrue(listed.getJsonArray("items").stream().allMatch(user -> domain.equals(((JsonObject) user).getString("domain"))), listed.encode());
        assertProblem(callAs(domainAdmin.keypair(), portA, HttpMethod.POST, "/v1/admin/resource-policies", new JsonObject().put("name", "mine")),
                403, "insufficient-privilege", "superadmins");
        assertProblem(callAs(stranger.keypair(), portA, HttpMethod.GET, "/v1/admin/domains", null), 403, "insufficient-privilege", "admins");
    }

    // ---- admin input ----

    @Test
    @DisplayName("bad admin input is a 4xx naming the field: duplicates, dangling references, slots, emails, scheduler options, size")
    void badAdminInput() throws Exception {
        String name = "dup-" + suffix();
        ok(admin(HttpMethod.POST, "/v1/admin/domains", new JsonObject().put("name", name)));
        assertProblem(admin(HttpMethod.POST, "/v1/admin/domains", new JsonObject().put("name", name)), 409, "object-already-exists", "name");
        assertProblem(admin(HttpMethod.POST, "/v1/admin/projects", new JsonObject().put("name", "p-" + suffix()).put("domain", "nowhere")),
                400, "invalid-api-params", "domain \"nowhere\"");
        assertProblem(admin(HttpMethod.POST, "/v1/admin/domains", new JsonObject().put("name", "n-" + suffix())
                .put("totalResourceSlots", new JsonObject().put("cpu", -1))), 400, "invalid-api-params", "totalResourceSlots.cpu must not be negative");
        assertProblem(admin(HttpMethod.POST, "/v1/admin/domains", new JsonObject().put("name", "n-" + suffix())
                .put("totalResourceSlots", new JsonObject().put("gpu", 1))), 400, "invalid-api-params", "totalResourceSlots.gpu is not a known slot");
        assertProblem(admin(HttpMethod.POST, "/v1/admin/users", userBody("e-" + suffix(), "default", "user").put("email", "not-an-email")),
                400, "invalid-api-params", "email must be an email address");
        assertProblem(admin(HttpMethod.POST, "/v1/admin/scaling-groups", new JsonObject().put("name", "sg-" + suffix())
                .put("schedulerOpts", new JsonObject().put("allowedSessionTypes", new JsonArray()))), 400, "invalid-api-params",
                "schedulerOpts.allowedSessionTypes must be a non-empty list");
        assertProblem(admin(HttpMethod.POST, "/v1/admin/domains", new JsonObject().put("name", "n-" + suffix()).put("colour", "red")),
                400, "invalid-api-params", "colour");
        HttpResponse<Buffer> oversized = admin(HttpMethod.POST, "/v1/admin/domains",
                new JsonObject().put("name", "big").put("description", "x".repeat(100_000)));
        assertEquals(413, oversized.statusCode(), oversized.bodyAsString());
    }

    @Test
    @DisplayName("one transaction per admin call: a PATCH with one bad field changes nothing; a policy in use cannot be deleted")
    void nothingHalfWritten() throws Exception {
        String name = "half-" + suffix();
        ok(admin(HttpMethod.POST, "/v1/admin/domains", new JsonObject().put("name", name).put("description", "before")));

        assertProblem(admin(HttpMethod.PATCH, "/v1/admin/domains/" + name, new JsonObject().put("description", "after")
                .put("totalResourceSlots", new JsonObject().put("mem", "lots"))), 400, "invalid-api-params", "totalResourceSlots.mem");
        assertEquals("before", admin(HttpMethod.GET, "/v1/admin/domains/" + name, null).bodyAsJsonObject().getString("description"));

        String policy = "used-" + suffix();
        ok(admin(HttpMethod.POST, "/v1/admin/resource-policies", new JsonObject().put("name", policy)));
        User user = newUser("policy-user", "default", "user");
        ok(admin(HttpMethod.PATCH, "/v1/admin/keypairs/" + user.keypair().accessKey(), new JsonObject().put("resourcePolicy", policy)));
        assertProblem(admin(HttpMethod.DELETE, "/v1/admin/resource-policies/" + policy, null), 409, "object-in-use", "keypairs");
        assertEquals(200, admin(HttpMethod.GET, "/v1/admin/resource-policies/" + policy, null).statusCode());
    }

    @Test
    @DisplayName("a duplicate unique name is 409 naming the field, on create and on update, and the first stays alone")
    void duplicateNames() throws Exception {
        String taken = "taken-" + suffix();
        User first = newUserNamed(taken, "default", "user");
        User second = newUser("second", "default", "user");

        assertProblem(admin(HttpMethod.POST, "/v1/admin/users", userBody(taken, "default", "user").put("username", "other-" + suffix())),
                409, "object-already-exists", "email \"" + taken + "@example.org\" is taken by another user");
        assertProblem(admin(HttpMethod.POST, "/v1/admin/users", userBody(taken, "default", "user").put("email", "other-" + suffix() + "@example.org")),
                409, "object-already-exists", "username \"" + taken + "\" is taken by another user");
        assertProblem(admin(HttpMethod.PATCH, "/v1/admin/users/" + second.id(), new JsonObject().put("email", taken + "@example.org")),
                409, "object-already-exists", "email");
        assertEquals(1, admin(HttpMethod.GET, "/v1/admin/users?username=" + taken, null).bodyAsJsonObject().getLong("total"));
        assertEquals(1, count("SELECT count(*) FROM keypairs WHERE user_id = ?", UUID.fromString(first.id())), "no second keypair either");

        String name = "unique-" + suffix();
        for (String entity : List.of("projects", "scaling-groups", "resource-presets", "resource-policies")) {
            JsonObject body = new JsonObject().put("name", name);
            if (entity.equals("projects")) body.put("domain", "default");
            if (entity.equals("resource-presets")) body.put("resourceSlots", new JsonObject().put("cpu", 1));
            ok(admin(HttpMethod.POST, "/v1/admin/" + entity, body));
            assertProblem(admin(HttpMethod.POST, "/v1/admin/" + entity, body), 409, "object-already-exists", "name \"" + name + "\" is taken by another");
        }
        JsonObject image = new JsonObject().put("name", "berth/" + name).put("tag", "1.0");
        ok(admin(HttpMethod.POST, "/v1/admin/images", image));
        assertProblem(admin(HttpMethod.POST, "/v1/admin/images", image), 409, "object-already-exists",
                "name, tag \"berth/" + name + ", 1.0\" is taken by another image");
    }

    @Test
    @DisplayName("a reference to nothing is 400 naming the body field, or 404 naming the path's target, and writes nothing")
    void danglingReferences() throws Exception {
        String nobody = UUID.randomUUID().toString();
        assertProblem(admin(HttpMethod.POST, "/v1/admin/keypairs", new JsonObject().put("userId", nobody).put("resourcePolicy", "default")),
                400, "invalid-api-params", "userId \"" + nobody + "\" names nothing in users");
        assertEquals(0, admin(HttpMethod.GET, "/v1/admin/keypairs?userId=" + nobody, null).bodyAsJsonObject().getLong("total"));
        User user = newUser("dangling", "default", "user");
        assertProblem(admin(HttpMethod.POST, "/v1/admin/keypairs", new JsonObject().put("userId", user.id()).put("resourcePolicy", "no-policy")),
                400, "invalid-api-params", "resourcePolicy \"no-policy\" names nothing in keypair resource policies");
        assertProblem(admin(HttpMethod.PATCH, "/v1/admin/keypairs/" + user.keypair().accessKey(), new JsonObject().put("resourcePolicy", "no-policy")),
                400, "invalid-api-params", "resourcePolicy \"no-policy\"");
        JsonObject keypairs = admin(HttpMethod.GET, "/v1/admin/keypairs?userId=" + user.id(), null).bodyAsJsonObject();
        assertEquals(1, keypairs.getLong("total"), keypairs.encode());
        assertEquals("default", keypairs.getJsonArray("items").getJsonObject(0).getString("resourcePolicy"));
        String homeless = "homeless-" + suffix();
        assertProblem(admin(HttpMethod.POST, "/v1/admin/users", userBody(homeless, "no-domain", "user")), 400, "invalid-api-params",
                "domain \"no-domain\" names nothing in domains");
        assertEquals(0, count("SELECT count(*) FROM users WHERE username = ?", homeless));

        String group = "links-" + suffix();
        ok(admin(HttpMethod.POST, "/v1/admin/scaling-groups", new JsonObject().put("name", group)));
        String links = "/v1/admin/scaling-groups/" + group;
        assertProblem(admin(HttpMethod.PUT, links + "/projects/no-project", null), 404, "object-not-found", "no project \"no-project\"");
        assertProblem(admin(HttpMethod.PUT, links + "/keypairs/AKIANOBODY00000000", null), 404, "object-not-found",
                "no keypair \"AKIANOBODY00000000\"");
        assertProblem(admin(HttpMethod.PUT, links + "/domains/no-domain", null), 404, "object-not-found", "no domain \"no-domain\"");
        assertProblem(admin(HttpMethod.PUT, "/v1/admin/scaling-groups/no-group/projects/default", null), 404, "object-not-found",
                "no scaling group \"no-group\"");
        JsonObject associations = admin(HttpMethod.GET, links + "/associations", null).bodyAsJsonObject();
        assertEquals(new JsonObject().put("domains", new JsonArray()).put("projects", new JsonArray()).put("keypairs", new JsonArray()), associations);
        assertEquals(0, count("SELECT count(*) FROM scaling_groups_for_projects WHERE scaling_group = 'no-group'"));

        assertProblem(admin(HttpMethod.PUT, "/v1/admin/projects/no-project/members/" + user.id(), null), 404, "object-not-found",
                "no project \"no-project\"");
        assertProblem(admin(HttpMethod.PUT, "/v1/admin/projects/default/members/" + nobody, null), 404, "object-not-found",
                "no user \"" + nobody + "\"");
        assertEquals(0, count("SELECT count(*) FROM project_members WHERE user_id = ? OR project_name = 'no-project'", UUID.fromString(nobody)));
    }

    @Test
    @DisplayName("a domain admin's write refused after its row is written (a user elsewhere, a superadmin, a keypair for a stranger) leaves nothing")
    void refusedAfterInsertLeavesNothing() throws Exception {
        String domain = "guarded-" + suffix();
        ok(admin(HttpMethod.POST, "/v1/admin/domains", new JsonObject().put("name", domain)));
        User domainAdmin = newUser("gadmin", domain, "admin");
        User stranger = newUser("gstranger", "default", "user");
        User member = newUser("gmember", domain, "user");
        String elsewhere = "elsewhere-" + suffix();
        String promoted = "promoted-" + suffix();

        assertProblem(callAs(domainAdmin.keypair(), portA, HttpMethod.POST, "/v1/admin/users", userBody(elsewhere, "default", "user")),
                403, "insufficient-privilege", "may not place a user in domain \"default\"");
        assertProblem(callAs(domainAdmin.keypair(), portA, HttpMethod.POST, "/v1/admin/users", userBody(promoted, domain, "superadmin")),
                403, "insufficient-privilege", "may not make a superadmin's user");
        assertProblem(callAs(domainAdmin.keypair(), portA, HttpMethod.POST, "/v1/admin/keypairs",
                new JsonObject().put("userId", stranger.id()).put("resourcePolicy", "default")), 403, "insufficient-privilege", "keypair");
        assertProblem(callAs(domainAdmin.keypair(), portA, HttpMethod.PATCH, "/v1/admin/users/" + member.id(), new JsonObject().put("role", "superadmin")),
                403, "insufficient-privilege", "superadmin");

        assertEquals(0, count("SELECT count(*) FROM users WHERE username IN (?, ?)", elsewhere, promoted), "the refused users were rolled back");
        assertEquals(1, count("SELECT count(*) FROM keypairs WHERE user_id = ?", UUID.fromString(stranger.id())), "the refused keypair too");
        assertEquals("user", admin(HttpMethod.GET, "/v1/admin/users/" + member.id(), null).bodyAsJsonObject().getString("role"));
    }

    @Test
    @DisplayName("free text over its field's limit but under the body limit is 400 naming the field; at the limit it is taken")
    void fieldLengthLimits() throws Exception {
        String over = "x".repeat(1001);
        ok(admin(HttpMethod.POST, "/v1/admin/domains", new JsonObject().put("name", "long-" + suffix()).put("description", "x".repeat(1000))));
        assertProblem(admin(HttpMethod.POST, "/v1/admin/domains", new JsonObject().put("name", "long-" + suffix()).put("description", over)),
                400, "invalid-api-params", "description must be at most 1000 characters");
        assertProblem(admin(HttpMethod.POST, "/v1/admin/domains", new JsonObject().put("name", "n".repeat(65))),
                400, "invalid-api-params", "name must be at most 64 characters");
        assertProblem(admin(HttpMethod.PATCH, "/v1/admin/projects/default", new JsonObject().put("description", over)),
                400, "invalid-api-params", "description must be at most 1000 characters");
        assertProblem(admin(HttpMethod.POST, "/v1/admin/scaling-groups", new JsonObject().put("name", "long-" + suffix()).put("description", over)),
                400, "invalid-api-params", "description must be at most 1000 characters");
        assertProblem(admin(HttpMethod.POST, "/v1/admin/scaling-groups", new JsonObject().put("name", "long-" + suffix())
                .put("schedulerOpts", new JsonObject().put("config", new JsonObject().put("note", over)))),
                400, "invalid-api-params", "schedulerOpts.config.note must be at most 1000 characters");
        assertProblem(admin(HttpMethod.POST, "/v1/admin/users", userBody("long-" + suffix(), "default", "user").put("fullName", over)),
                400, "invalid-api-params", "fullName must be at most 1000 characters");
        User user = newUser("long-script", "default", "user");
        assertProblem(admin(HttpMethod.PATCH, "/v1/admin/keypairs/" + user.keypair().accessKey(),
                new JsonObject().put("bootstrapScript", "#".repeat(32 * 1024 + 1))), 400, "invalid-api-params", "bootstrapScript must be at most");
        assertProblem(admin(HttpMethod.POST, "/v1/admin/images", new JsonObject().put("name", "berth/long-" + suffix()).put("tag", "1")
                .put("labels", new JsonObject().put("note", over))), 400, "invalid-api-params", "labels.note must be at most 1000 characters");
        assertProblem(admin(HttpMethod.POST, "/v1/admin/images", new JsonObject().put("name", "berth/long-" + suffix()).put("tag", "1")
                .put("labels", new JsonObject().put("k".repeat(256), "v"))), 400, "invalid-api-params", "labels keys must be at most 255");
    }

    @Test
    @DisplayName("lists page with limit and offset, filter by field, and refuse unknown filters")
    void pagination() throws Exception {
        String domain = "page-" + suffix();
        ok(admin(HttpMethod.POST, "/v1/admin/domains", new JsonObject().put("name", domain)));
        for (int i = 0; i < 3; i++) {
            ok(admin(HttpMethod.POST, "/v1/admin/projects", new JsonObject().put("name", domain + "-p" + i).put("domain", domain)));
        }

        JsonObject first = admin(HttpMethod.GET, "/v1/admin/projects?domain=" + domain + "&limit=2", null).bodyAsJsonObject();
        JsonObject second = admin(HttpMethod.GET, "/v1/admin/projects?domain=" + domain + "&limit=2&offset=2", null).bodyAsJsonObject();

        assertEquals(3, first.getLong("total"));
        assertEquals(List.of(domain + "-p0", domain + "-p1"), names(first));
        assertEquals(List.of(domain + "-p2"), names(second));
        assertProblem(admin(HttpMethod.GET, "/v1/admin/projects?colour=red", null), 400, "invalid-api-params", "colour is not a filter");
        assertProblem(admin(HttpMethod.GET, "/v1/admin/projects?offset=-1", null), 400, "invalid-api-params", "offset");
    }

    // ---- session creates resolved against the database ----

    @Test
    @DisplayName("RES-12/SCH-28 bad creates are 4xx naming the field, and nothing reaches session.requests")
    void createChecks() throws Exception {
        String batchOnly = "batch-" + suffix();
        ok(admin(HttpMethod.POST, "/v1/admin/scaling-groups", new JsonObject().put("name", batchOnly)
                .put("schedulerOpts", new JsonObject().put("allowedSessionTypes", new JsonArray().add("batch")))));
        ok(admin(HttpMethod.PUT, "/v1/admin/scaling-groups/" + batchOnly + "/domains/default", null));
        String policy = "two-" + suffix();
        ok(admin(HttpMethod.POST, "/v1/admin/resource-policies", new JsonObject().put("name", policy).put("maxContainersPerSession", 2)));
        User user = newUser("creator", "default", "user");
        ok(admin(HttpMethod.PATCH, "/v1/admin/keypairs/" + user.keypair().accessKey(), new JsonObject().put("resourcePolicy", policy)));
        long before = requestsEnd();

        assertProblem(create(user, session("c-unknown-sg").put("scalingGroup", "nowhere")), 404, "scaling-group-not-found", "scalingGroup \"nowhere\"");
        assertProblem(create(user, session("c-wrong-type").put("scalingGroup", batchOnly)), 400, "invalid-api-params",
                "scalingGroup \"" + batchOnly + "\" does not accept interactive");
        assertProblem(create(user, session("c-preset").put("preset", "no-such-preset")), 400, "invalid-api-params", "preset");
        assertProblem(create(user, session("c-dependency").put("dependencies", new JsonArray().add(UUID.randomUUID().toString()))),
                400, "invalid-api-params", "dependencies[0]");
        assertProblem(create(user, session("c-cluster").put("clusterSize", 3)), 412, "quota-exceeded", "clusterSize 3");
        assertProblem(create(user, session("c-starts").put("type", "batch").put("command", "true").put("startsAt", "tomorrow")),
                400, "invalid-api-params", "startsAt");
        assertProblem(create(user, session("c-project").put("project", "not-mine")), 400, "invalid-api-params", "project");

        assertEquals(before, requestsEnd(), "no rejected create may reach session.requests");
        HttpResponse<Buffer> batch = create(user, session("c-batch").put("type", "batch").put("command", "true").put("scalingGroup", batchOnly)
                .put("startsAt", "2030-01-01T00:00:00Z").put("clusterSize", 2));
        assertEquals(201, batch.statusCode(), batch.bodyAsString());
    }

    @Test
    @DisplayName("SCH-13/14 a create its scaling group's agents could never hold, by capacity, is invalid-api-params and never reaches Kafka")
    void createsBeyondCapacity() throws Exception {
        String group = "cap-" + suffix();
        ok(admin(HttpMethod.POST, "/v1/admin/scaling-groups", new JsonObject().put("name", group)));
        ok(admin(HttpMethod.PUT, "/v1/admin/scaling-groups/" + group + "/domains/default", null));
        User user = newUser("capacity", "default", "user");
        // the group's one agent: 4 cpus, 8g and 2 cuda shares, of which 3 cpus are taken; only capacity counts
        heartbeat("agent-" + suffix(), group, Map.of("cpu", 4000L, "mem", 8L << 30, "cuda.shares", 2000L), Map.of("cpu", 3000L));
        await().atMost(DEADLINE).until(
                () -> callAs(user.keypair(), portA, HttpMethod.GET, "/v1/resources/check-presets?scalingGroup=" + group, null).bodyAsJsonObject(),
                body -> body.getJsonObject("scalingGroups").getJsonObject(group).getJsonObject("remaining").containsKey("cpu"));
        long before = requestsEnd();

        assertProblem(create(user, sized(group, 2, "1g").put("clusterSize", 3)), 400, "invalid-api-params",
                "clusterSize 3 in single-node mode needs one agent with {cpu=6, mem=3g}");
        assertProblem(create(user, sized(group, 1, "1g").put("clusterSize", 5).put("clusterMode", "multi-node")), 400, "invalid-api-params",
                "clusterSize 5 in multi-node mode");
        HttpResponse<Buffer> cpu = create(user, sized(group, 5, "1g"));
        assertProblem(cpu, 400, "invalid-api-params", "resources.cpu 5 is above the capacity of every agent");
        assertTrue(cpu.bodyAsJsonObject().getString("detail").contains("has 4"), cpu.bodyAsString());
        HttpResponse<Buffer> shares = create(user, sized(group, 1, "1g").put("resources",
                new JsonObject().put("cpu", 1).put("mem", "1g").put("cuda.shares", 2.5)));
        assertProblem(shares, 400, "invalid-api-params", "resources.cuda.shares 2.5 is above the capacity of every agent");
        assertTrue(shares.bodyAsJsonObject().getString("detail").contains("has 2"), shares.bodyAsString());

        assertEquals(before, requestsEnd(), "no create refused for capacity may reach session.requests");
        HttpResponse<Buffer> fits = create(user, sized(group, 1, "1g").put("clusterSize", 4).put("clusterMode", "multi-node"));
        assertEquals(201, fits.statusCode(), "4 kernels of 1 cpu fit the agent's capacity, though 3 cpus are taken: " + fits.bodyAsString());
        assertEquals(before + 1, requestsEnd());
    }

    @Test
    @DisplayName("RES-03/04 a preset fills a create's resources; check-presets says which presets fit the policy and one live agent")
    void presets() throws Exception {
        String small = "small-" + suffix();
        String mid = "mid-" + suffix();
        String huge = "huge-" + suffix();
        for (Map.Entry<String, Integer> preset : Map.of(small, 1, mid, 3, huge, 8).entrySet()) {
            ok(admin(HttpMethod.POST, "/v1/admin/resource-presets", new JsonObject().put("name", preset.getKey())
                    .put("resourceSlots", new JsonObject().put("cpu", preset.getValue()).put("mem", "1g"))));
        }
        String policy = "four-cpu-" + suffix();
        ok(admin(HttpMethod.POST, "/v1/admin/resource-policies", new JsonObject().put("name", policy)
                .put("totalResourceSlots", new JsonObject().put("cpu", 4))));
        User user = newUser("preset-user", "default", "user");
        ok(admin(HttpMethod.PATCH, "/v1/admin/keypairs/" + user.keypair().accessKey(), new JsonObject().put("resourcePolicy", policy)));
        // an agent of the default group, as it reports itself: 2 cpus of which 0.5 are taken
        heartbeat("agent-" + suffix(), "default", Map.of("cpu", 2000L, "mem", 4L << 30), Map.of("cpu", 500L));

        HttpResponse<Buffer> created = create(user, new JsonObject().put("name", "from-preset").put("image", "python:3").put("preset", small));
        assertEquals(201, created.statusCode(), created.bodyAsString());
        JsonObject session = callAs(user.keypair(), portA, HttpMethod.GET, "/v1/sessions/" + created.bodyAsJsonObject().getString("sessionId"), null)
                .bodyAsJsonObject();
        assertEquals(new JsonObject().put("cpu", 1).put("mem", 1L << 30), session.getJsonObject("resources"));

        JsonObject check = await().atMost(DEADLINE).until(
                () -> callAs(user.keypair(), portA, HttpMethod.GET, "/v1/resources/check-presets?scalingGroup=default", null).bodyAsJsonObject(),
                body -> body.getJsonObject("scalingGroups").getJsonObject("default").getJsonObject("remaining").containsKey("cpu"));
        assertEquals(4, check.getJsonObject("keypairLimits").getInteger("cpu"), check.encode());
        assertEquals(1.5, check.getJsonObject("scalingGroups").getJsonObject("default").getJsonObject("remaining").getDouble("cpu"), check.encode());
        JsonObject byName = new JsonObject();
        check.getJsonArray("presets").forEach(preset -> byName.put(((JsonObject) preset).getString("name"), ((JsonObject) preset).getBoolean("allocatable")));
        assertEquals(true, byName.getBoolean(small), check.encode());
        assertEquals(false, byName.getBoolean(mid), "fits the policy but no agent: " + check.encode());
        assertEquals(false, byName.getBoolean(huge), "fits neither: " + check.encode());
        assertProblem(callAs(user.keypair(), portA, HttpMethod.GET, "/v1/resources/check-presets?scalingGroup=elsewhere", null),
                404, "scaling-group-not-found", "elsewhere");

        JsonObject usage = callAs(user.keypair(), portA, HttpMethod.GET, "/v1/resources/usage", null).bodyAsJsonObject();
        assertEquals(user.keypair().accessKey(), usage.getString("accessKey"));
        assertEquals(1, usage.getInteger("concurrencyUsed"), usage.encode());
        JsonObject groups = callAs(user.keypair(), portA, HttpMethod.GET, "/v1/scaling-groups", null).bodyAsJsonObject();
        assertTrue(groups.getJsonArray("scalingGroups").contains(new JsonObject().put("name", "default")), groups.encode());
    }

    // ---- the outbox, through the API ----

    @Test
    @DisplayName("an admin change of a keypair resource policy reaches config.limits, newest version last")
    void policyChangeReachesTopic() throws Exception {
        String policy = "streamed-" + suffix();
        ok(admin(HttpMethod.POST, "/v1/admin/resource-policies", new JsonObject().put("name", policy).put("maxConcurrentSessions", 2)));
        ok(admin(HttpMethod.PATCH, "/v1/admin/resource-policies/" + policy, new JsonObject().put("maxConcurrentSessions", 7)
                .put("totalResourceSlots", new JsonObject().put("cpu", 2.5).put("mem", "8g")).put("defaultForUnspecified", "limited")));

        await().atMost(DEADLINE).untilAsserted(() -> {
            byte[] value = latest(topics.configLimits.name()).get("keypair-policy:" + policy);
            assertNotNull(value);
            ResourceLimits limits = BerthSerdes.RESOURCE_LIMITS.deserialize("", value);
            assertEquals(7, limits.getMaxConcurrentSessions());
            assertEquals(Map.of("cpu", 2500L, "mem", 8L << 30), limits.getTotalResourceSlots());
            assertEquals("LIMITED", limits.getDefaultForUnspecified().name());
        });
        ok(admin(HttpMethod.DELETE, "/v1/admin/resource-policies/" + policy, null));
        await().atMost(DEADLINE).untilAsserted(() -> {
            Map<String, byte[]> all = latest(topics.configLimits.name());
            assertTrue(all.containsKey("keypair-policy:" + policy));
            assertEquals(null, all.get("keypair-policy:" + policy), "a deleted policy is a tombstone");
        });
    }

    @Test
    @DisplayName("RES-07 a scaling group's scheduler options, and a deactivated user's keypairs, reach their config topics")
    void groupAndKeypairChangesReachTopics() throws Exception {
        String group = "streamed-sg-" + suffix();
        ok(admin(HttpMethod.POST, "/v1/admin/scaling-groups", new JsonObject().put("name", group).put("scheduler", "drf")
                .put("schedulerOpts", new JsonObject().put("allowedSessionTypes", new JsonArray().add("batch").add("inference"))
                        .put("pendingTimeout", 30).put("config", new JsonObject().put("num_retries_to_skip", 3)))));
        User user = newUser("streamed", "default", "user");
        ok(admin(HttpMethod.DELETE, "/v1/admin/users/" + user.id(), null));

        await().atMost(DEADLINE).untilAsserted(() -> {
            byte[] value = latest(topics.configScalingGroups.name()).get(group);
            assertNotNull(value);
            var config = BerthSerdes.SCALING_GROUP_CONFIG.deserialize("", value);
            assertEquals("drf", config.getScheduler());
            assertEquals(30_000L, config.getPendingTimeoutMs());
            assertEquals(List.of("BATCH", "INFERENCE"), config.getAllowedSessionTypes().stream().map(Enum::name).toList());
            assertEquals(Map.of("num_retries_to_skip", "3"), config.getSchedulerConfig());
        });
        await().atMost(DEADLINE).untilAsserted(() -> {
            byte[] value = latest(topics.configKeypairs.name()).get(user.keypair().accessKey());
            assertNotNull(value);
            var keypair = BerthSerdes.KEYPAIR_CONFIG.deserialize("", value);
            assertEquals(user.id(), keypair.getUserId());
            assertFalse(keypair.getActive(), "the keypair of a deactivated user is inactive for the scheduler too");
        });
    }

    @Test
    @DisplayName("SES-06/API-09 an image's ai.backend.role label decides the role; only SYSTEM sessions may use a non-public group")
    void imageRoleAndPrivateGroups() throws Exception {
        String group = "private-" + suffix();
        ok(admin(HttpMethod.POST, "/v1/admin/scaling-groups", new JsonObject().put("name", group).put("isPublic", false)));
        ok(admin(HttpMethod.PUT, "/v1/admin/scaling-groups/" + group + "/domains/default", null));
        JsonObject associations = admin(HttpMethod.GET, "/v1/admin/scaling-groups/" + group + "/associations", null).bodyAsJsonObject();
        assertEquals(new JsonArray().add("default"), associations.getJsonArray("domains"));
        String image = "berth/sftp-" + suffix();
        HttpResponse<Buffer> registered = admin(HttpMethod.POST, "/v1/admin/images", new JsonObject().put("name", image).put("tag", "1.0")
                .put("architectures", new JsonArray().add("x86_64").add("aarch64"))
                .put("labels", new JsonObject().put("ai.backend.role", "SYSTEM"))
                .put("minResources", new JsonObject().put("cpu", 0.25).put("mem", "64m")));
        assertEquals(201, registered.statusCode(), registered.bodyAsString());
        assertEquals(image + ":1.0", registered.bodyAsJsonObject().getString("ref"));
        User user = newUser("system", "default", "user");

        assertProblem(create(user, session("compute-private").put("scalingGroup", group)), 404, "scaling-group-not-found", group);
        HttpResponse<Buffer> system = create(user, new JsonObject().put("name", "sftp-" + suffix()).put("image", image + ":1.0")
                .put("scalingGroup", group));
        assertEquals(201, system.statusCode(), system.bodyAsString());
        JsonObject seen = callAs(user.keypair(), portA, HttpMethod.GET, "/v1/sessions/" + system.bodyAsJsonObject().getString("sessionId"), null)
                .bodyAsJsonObject();
        assertEquals(group, seen.getString("scalingGroup"));
        assertEquals(new JsonObject().put("cpu", 0.25).put("mem", 64L << 20), seen.getJsonObject("resources"), "the image's minimum fills the slots");

        ok(admin(HttpMethod.DELETE, "/v1/admin/scaling-groups/" + group + "/domains/default", null));
        assertProblem(create(user, new JsonObject().put("name", "sftp-" + suffix()).put("image", image + ":1.0").put("scalingGroup", group)),
                404, "scaling-group-not-found", group);
    }

    @Test
    @DisplayName("RES-08/12 a non-public group linked to a project serves that project's SYSTEM sessions, one linked to a keypair that keypair's; unlinked, neither")
    void projectAndKeypairLinks() throws Exception {
        String group = "linked-" + suffix();
        ok(admin(HttpMethod.POST, "/v1/admin/scaling-groups", new JsonObject().put("name", group).put("isPublic", false)));
        String project = "linked-" + suffix();
        ok(admin(HttpMethod.POST, "/v1/admin/projects", new JsonObject().put("name", project).put("domain", "default")));
        // API-09: only SYSTEM sessions may use a non-public group
        String image = "berth/sftp-" + suffix();
        ok(admin(HttpMethod.POST, "/v1/admin/images", new JsonObject().put("name", image).put("tag", "1.0")
                .put("labels", new JsonObject().put("ai.backend.role", "SYSTEM"))));
        User user = newUser("linked", "default", "user");
        User neighbour = newUser("neighbour", "default", "user");
        ok(admin(HttpMethod.PUT, "/v1/admin/projects/" + project + "/members/" + user.id(), null));
        String links = "/v1/admin/scaling-groups/" + group;

        assertProblem(create(user, system(image, group).put("project", project)), 404, "scaling-group-not-found", group);
        ok(admin(HttpMethod.PUT, links + "/projects/" + project, null));
        assertCreated(create(user, system(image, group).put("project", project)), group);
        assertProblem(create(user, system(image, group)), 404, "scaling-group-not-found", group);
        ok(admin(HttpMethod.DELETE, links + "/projects/" + project, null));
        assertProblem(create(user, system(image, group).put("project", project)), 404, "scaling-group-not-found", group);

        ok(admin(HttpMethod.PUT, links + "/keypairs/" + user.keypair().accessKey(), null));
        assertCreated(create(user, system(image, group)), group);
        assertProblem(create(neighbour, system(image, group)), 404, "scaling-group-not-found", group);
        ok(admin(HttpMethod.DELETE, links + "/keypairs/" + user.keypair().accessKey(), null));
        assertProblem(create(user, system(image, group)), 404, "scaling-group-not-found", group);
    }

    // ---- AUTH-12 ----

    @Test
    @DisplayName("AUTH-12 a keypair's rate limit holds across two API instances: the request over it is 429 with Retry-After")
    void rateLimitAcrossInstances() throws Exception {
        User user = newUser("limited", "default", "user");
        ok(admin(HttpMethod.PATCH, "/v1/admin/keypairs/" + user.keypair().accessKey(), new JsonObject().put("rateLimit", 5)));

        for (int port : new int[] {portA, portA, portA, portB, portB}) {
            HttpResponse<Buffer> allowed = callAs(user.keypair(), port, HttpMethod.GET, "/v1/sessions", null);
            assertEquals(200, allowed.statusCode(), allowed.bodyAsString());
        }
        for (int port : new int[] {portB, portA}) {
            HttpResponse<Buffer> refused = callAs(user.keypair(), port, HttpMethod.GET, "/v1/sessions", null);
            assertProblem(refused, 429, "rate-limit-exceeded", user.keypair().accessKey());
            long retryAfter = Long.parseLong(refused.getHeader("Retry-After"));
            assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
        }
        HttpResponse<Buffer> refusedCreate = callAs(user.keypair(), portA, HttpMethod.POST, "/v1/sessions", session("over-the-limit"));
        assertProblem(refusedCreate, 429, "rate-limit-exceeded", user.keypair().accessKey());
        assertEquals(200, callAs(superadmin, portA, HttpMethod.GET, "/v1/sessions", null).statusCode(), "other keypairs are not limited");
    }

    // ---- helpers ----

    private record User(String id, Keys.Keypair keypair) {}

    private static User newUser(String prefix, String domain, String role) throws Exception {
        return newUserNamed(prefix + "-" + suffix(), domain, role);
    }

    private static User newUserNamed(String name, String domain, String role) throws Exception {
        HttpResponse<Buffer> created = admin(HttpMethod.POST, "/v1/admin/users", userBody(name, domain, role));
        assertEquals(201, created.statusCode(), created.bodyAsString());
        JsonObject body = created.bodyAsJsonObject();
        JsonObject keypair = body.getJsonObject("keypair");
        if (domain.equals("default")) {
            ok(admin(HttpMethod.PUT, "/v1/admin/projects/default/members/" + body.getString("id"), null));
        }
        return new User(body.getString("id"), new Keys.Keypair(keypair.getString("accessKey"), keypair.getString("secretKey")));
    }

    private static JsonObject userBody(String name, String domain, String role) {
        return new JsonObject().put("email", name + "@example.org").put("username", name).put("domain", domain).put("role", role);
    }

    private static JsonObject session(String name) {
        return new JsonObject().put("name", name + "-" + suffix()).put("image", "python:3.12")
                .put("resources", new JsonObject().put("cpu", 0.5).put("mem", "128m"));
    }

    private static JsonObject system(String image, String scalingGroup) {
        return new JsonObject().put("name", "sys-" + suffix()).put("image", image + ":1.0").put("scalingGroup", scalingGroup)
                .put("resources", new JsonObject().put("cpu", 0.25).put("mem", "64m"));
    }

    /** A create answered 201 whose session landed in {@code scalingGroup}. */
    private static void assertCreated(HttpResponse<Buffer> created, String scalingGroup) throws Exception {
        assertEquals(201, created.statusCode(), created.bodyAsString());
        String id = created.bodyAsJsonObject().getString("sessionId");
        assertEquals(scalingGroup, admin(HttpMethod.GET, "/v1/sessions/" + id, null).bodyAsJsonObject().getString("scalingGroup"));
    }

    private static JsonObject sized(String scalingGroup, int cpu, String mem) {
        return session("c-sized").put("scalingGroup", scalingGroup).put("resources", new JsonObject().put("cpu", cpu).put("mem", mem));
    }

    private static HttpResponse<Buffer> create(User user, JsonObject body) throws Exception {
        return callAs(user.keypair(), portA, HttpMethod.POST, "/v1/sessions", body);
    }

    private static HttpResponse<Buffer> admin(HttpMethod method, String path, JsonObject body) throws Exception {
        return callAs(superadmin, portA, method, path, body);
    }

    private static void ok(HttpResponse<Buffer> response) {
        assertTrue(response.statusCode() == 200 || response.statusCode() == 201, response.statusCode() + " " + response.bodyAsString());
    }

    private static HttpResponse<Buffer> callAs(Keys.Keypair keypair, int port, HttpMethod method, String path, JsonObject body) throws Exception {
        return api.send(keypair, port, method, path, body == null ? null : body.encode());
    }

    private static List<String> ids(HttpResponse<Buffer> page) {
        assertEquals(200, page.statusCode(), page.bodyAsString());
        return page.bodyAsJsonObject().getJsonArray("items").stream().map(item -> ((JsonObject) item).getString("sessionId")).toList();
    }

    private static List<String> names(JsonObject page) {
        return page.getJsonArray("items").stream().map(item -> ((JsonObject) item).getString("name")).toList();
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static void heartbeat(String agentId, String group, Map<String, Long> capacity, Map<String, Long> occupied) throws Exception {
        AgentHeartbeat beat = AgentHeartbeat.newBuilder().setAgentId(agentId).setAt(Instant.now()).setScalingGroup(group)
                .setAddress("127.0.0.1:1").setRuntime("simulated").setVersion("test").setCapacity(capacity).setOccupied(occupied).build();
        String topic = topics.agentHeartbeats.name();
        api.writer().send(new ProducerRecord<>(topic, agentId, BerthSerdes.AGENT_HEARTBEAT.serialize(topic, beat))).get();
    }

    private static long requestsEnd() {
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(topics.sessionRequests.name()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** A count straight from PostgreSQL, to see what a refused write left behind. */
    private static long count(String sql, Object... args) throws SQLException {
        try (Connection conn = TestDatabases.jdbc(api.pg()); PreparedStatement statement = conn.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) statement.setObject(i + 1, args[i]);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    /** The latest value of every key on a single-partition topic (null for a tombstone). */
    private static Map<String, byte[]> latest(String topic) {
        Map<String, byte[]> latest = new java.util.HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> latest.put(record.key(), record.value()));
            }
        }
        return latest;
    }

    private static KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(KafkaClients.consumer(api.bootstrapServers(), null, "identity-it"),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static void assertProblem(HttpResponse<Buffer> response, int status, String type, String detailPart) {
        String text = response.bodyAsString();
        assertEquals(status, response.statusCode(), text);
        JsonObject problem = response.bodyAsJsonObject();
        assertEquals("https://api.backend.ai/probs/" + type, problem.getString("type"), text);
        assertTrue(problem.getString("detail").contains(detailPart), "expected \"" + detailPart + "\" in " + text);
    }
}
