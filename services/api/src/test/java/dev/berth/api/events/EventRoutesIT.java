package dev.berth.api.events;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.api.auth.Principal;
import dev.berth.api.auth.Role;
import dev.berth.api.problem.ProblemHandler;
import dev.berth.api.session.SessionView;
import dev.berth.api.session.TestEvents;
import dev.berth.common.KafkaClients;
import dev.berth.kafka.EmbeddedKafka;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.TopicBootstrapper;
import dev.berth.schema.Topics;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionEventKind;
import dev.berth.schema.avro.SessionSpec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The event streams against an embedded broker: session.events written as the lifecycle writes it,
 * read by real session views, streamed over HTTP. The caller is who the test headers say (the
 * authenticator is tested with the whole API). Routes: {@code /v1/…} keeps 10,000 events for resumes,
 * {@code /kafka/v1/…} one (so a resume reads Kafka), {@code /tiny/v1/…} holds 10 frames per client.
 */
class EventRoutesIT {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final String HOST = "127.0.0.1";
    private static final String PATH = "/v1/events/sessions";
    private static final String AS = "X-Test-Access-Key";
    private static final String ROLE = "X-Test-Role";
    private static final String DOMAIN = "default";
    /** Makes each event's frame about 3 KB, so that a client that stops reading is soon behind. */
    private static final String LONG_COMMAND = "echo " + "x".repeat(2_000);

    private static EmbeddedKafka kafka;
    private static String topic;
    private static KafkaProducer<String, byte[]> producer;
    private static SessionView view;
    private static SessionView forgetful;
    private static Vertx vertx;
    private static HttpServer server;
    private static WebClient web;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.startTemporary();
        Topics topics = Topics.withPrefix("t" + UUID.randomUUID() + ".", 2);
        topic = topics.sessionEvents.name();
        try (Admin admin = Admin.create(KafkaClients.admin(kafka.bootstrapServers()))) {
            TopicBootstrapper.ensure(admin, topics, (short) 1);
        }
        producer = new KafkaProducer<>(KafkaClients.producer(kafka.bootstrapServers(), "events-it"), new StringSerializer(), new ByteArraySerializer());
        view = new SessionView(kafka.bootstrapServers(), topic);
        forgetful = new SessionView(kafka.bootstrapServers(), topic, 1);
        view.start();
        forgetful.start();
        await().atMost(DEADLINE).until(() -> view.health().up() && forgetful.health().up());

        vertx = Vertx.vertx();
        KafkaReplay replay = new KafkaReplay(kafka.bootstrapServers(), topic);
        Duration heartbeat = Duration.ofMillis(200);
        Router router = Router.router(vertx);
        // stands in for the authenticator: the caller is the access key and role the test names
        router.route().handler(ctx -> {
            String accessKey = ctx.request().getHeader(AS);
            Role role = Role.valueOf(ctx.request().headers().contains(ROLE) ? ctx.request().getHeader(ROLE) : "USER");
            new Principal(accessKey, "u-" + accessKey, accessKey + "@example.org", DOMAIN, role, "default", 1000).attachTo(ctx);
            ctx.next();
        });
        router.get(PATH).handler(new EventRoutes(view, replay, heartbeat, 1000)::sessions);
        router.get("/kafka" + PATH).handler(new EventRoutes(forgetful, replay, heartbeat, 1000)::sessions);
        router.get("/tiny" + PATH).handler(new EventRoutes(view, replay, heartbeat, 10)::sessions);
        router.route().failureHandler(new ProblemHandler());
        // small socket buffers: a client that stops reading backs up into its stream within a few frames
        server = join(vertx.createHttpServer(new HttpServerOptions().setSendBufferSize(4096)).requestHandler(router).listen(0, HOST));
        web = WebClient.create(vertx);
        http = vertx.createHttpClient(new HttpClientOptions().setReceiveBufferSize(4096), new PoolOptions().setHttp1MaxSize(20));
    }

    @AfterAll
    static void stop() throws Exception {
        if (vertx != null) join(vertx.close());
        if (view != null) view.close();
        if (forgetful != null) forgetful.close();
        if (producer != null) producer.close();
        if (kafka != null) kafka.close();
    }

    @Test
    @DisplayName("invariant 5: a session's stream carries its lifecycle events in order, named by kind, with its position as id")
    void streamsInOrder() throws Exception {
        String project = project();
        Session session = created("AK1", project, 1);
        Session neighbour = created("AK1", project, 0);
        Stream stream = Stream.open(PATH + "?sessionId=" + session.getSessionId(), "AK1", null);
        List<SessionEventKind> kinds = List.of(SessionEventKind.SCHEDULED, SessionEventKind.PREPARING, SessionEventKind.STARTED,
                SessionEventKind.TERMINATING, SessionEventKind.TERMINATED);

        for (int i = 0; i < kinds.size(); i++) {
            write(1, session, i + 2, kinds.get(i));
            write(0, neighbour, i + 2, SessionEventKind.WAITING);
        }

        await().atMost(DEADLINE).until(() -> stream.events().size() == kinds.size());
        assertEquals("text/event-stream", stream.contentType());
        List<Received> events = stream.events();
        assertEquals(List.of("session_scheduled", "session_preparing", "session_started", "session_terminating", "session_terminated"),
                events.stream().map(Received::event).toList());
        assertEquals(List.of(2L, 3L, 4L, 5L, 6L), versions(events));
        for (Received event : events) {
            JsonObject data = event.data();
            assertEquals(session.getSessionId(), data.getJsonObject("session").getString("sessionId"));
            assertEquals(event.event(), "session_" + data.getString("kind").toLowerCase());
            assertTrue(event.id().startsWith(data.getString("eventId") + ","), "the event's own position first, then the other partition: " + event.id());
            assertTrue(data.getString("eventId").startsWith("1-"), data.encode());
            assertEquals(TestEvents.AT.toString(), data.getString("at"));
            assertEquals("because", data.getString("reason"));
        }
        stream.close();
    }

    @ParameterizedTest(name = "replayed from {0}")
    @ValueSource(strings = {"memory", "kafka"})
    @DisplayName("a client that drops and comes back with Last-Event-ID gets exactly what it missed, then live events, across partitions")
    void resumes(String from) throws Exception {
        String path = (from.equals("kafka") ? "/kafka" : "") + PATH + "?project=";
        String project = project();
        Session left = created("AK1", project, 0);
        Session right = created("AK1", project, 1);
        Stream first = Stream.open(path + project, "AK1", null);
        List<String> written = new CopyOnWriteArrayList<>();

        // given a client that had 6 events and dropped
        for (int version = 2; version <= 4; version++) written.addAll(both(left, right, version));
        await().atMost(DEADLINE).until(() -> first.events().size() == 6);
        first.close();
        // and 6 it missed, while another project's sessions and its own sessions' neighbours go on
        Session other = created("AK1", project(), 1);
        for (int version = 5; version <= 7; version++) {
            written.addAll(both(left, right, version));
            write(1, other, version, SessionEventKind.WAITING);
        }
        awaitViewed(left, 7);
        awaitViewed(right, 7);

        // when it reconnects while events keep coming
        String lastId = first.events().getLast().id();
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int version = 8; version <= 30; version++) written.addAll(both(left, right, version));
        });
        Stream second = Stream.open(path + project + "&after=ignored-as-the-header-wins", "AK1", lastId);
        writer.join(DEADLINE.toMillis());
        assertFalse(writer.isAlive(), "the writer is through");

        // then it has every event once, in order per session
        await().atMost(DEADLINE).until(() -> first.events().size() + second.events().size() == written.size());
        List<String> seen = new ArrayList<>(keys(first.events()));
        seen.addAll(keys(second.events()));
        assertEquals(sorted(written), sorted(seen), "every event exactly once");
        for (Session session : List.of(left, right)) {
            assertEquals(range(2, 30), versionsOf(session, seen), "in order across the reconnect");
            assertEquals(range(5, 30), versionsOf(session, keys(second.events())), "the missed first, then the live");
        }
        second.close();
    }

    @Test
    @DisplayName("AUTH-06 a project's stream: a user's own sessions there, a domain admin's domain's; none of another project")
    void filtersByProject() throws Exception {
        String project = project();
        Session mine = created("AK1", project, 0);
        Session theirs = created("AK2", project, 1);
        Session mineElsewhere = created("AK1", project(), 1);
        Stream user = Stream.open(PATH + "?project=" + project, "AK1", null);
        Stream admin = Stream.open(PATH + "?project=" + project, "AKADMIN", null, Role.ADMIN);
        Stream stranger = Stream.open(PATH + "?project=" + project, "AK3", null);

        write(1, theirs, 2, SessionEventKind.SCHEDULED);
        write(1, mineElsewhere, 2, SessionEventKind.SCHEDULED);
        write(0, mine, 2, SessionEventKind.SCHEDULED);
        Session strangers = created("AK3", project, 0); // written last: once the stranger has it, the others are through

        await().atMost(DEADLINE).until(() -> user.events().size() == 1 && admin.events().size() == 3 && stranger.events().size() == 1);
        assertEquals(List.of(mine.getSessionId() + "@2"), keys(user.events()));
        assertEquals(sorted(List.of(mine.getSessionId() + "@2", theirs.getSessionId() + "@2", strangers.getSessionId() + "@1")),
                sorted(keys(admin.events())));
        assertEquals(List.of(strangers.getSessionId() + "@1"), keys(stranger.events()));
        for (Stream stream : List.of(user, admin, stranger)) stream.close();
    }

    @Test
    @DisplayName("AUTH-06 another user's session is a 404 as for GET /v1/sessions/{id}, and so is an unknown one")
    void hidesOthersSessions() throws Exception {
        Session theirs = created("AK2", project(), 0);

        assertProblem(get(PATH + "?sessionId=" + theirs.getSessionId(), "AK1", null), 404, "session-not-found", theirs.getSessionId());
        assertProblem(get(PATH + "?sessionId=" + UUID.randomUUID(), "AK2", null), 404, "session-not-found", "no session");
    }

    @Test
    @DisplayName("ERR-02 neither or both of sessionId and project, or an id that is no event id, is a 400 naming the parameter")
    void refusesBadParameters() throws Exception {
        String sessionId = created("AK1", project(), 0).getSessionId();

        assertProblem(get(PATH, "AK1", null), 400, "invalid-api-params", "sessionId and project");
        assertProblem(get(PATH + "?sessionId=" + sessionId + "&project=p", "AK1", null), 400, "invalid-api-params", "sessionId and project");
        assertProblem(get(PATH + "?sessionId=not-a-uuid", "AK1", null), 400, "invalid-api-params", "sessionId");
        assertProblem(get(PATH + "?sessionId=" + sessionId + "&after=0-1,0-2", "AK1", null), 400, "invalid-api-params", "after");
        assertProblem(get(PATH + "?sessionId=" + sessionId, "AK1", "seven"), 400, "invalid-api-params", "Last-Event-ID");
    }

    @Test
    @DisplayName("a quiet stream sends a keep-alive comment every heartbeat")
    void heartbeats() throws Exception {
        Session quiet = created("AK1", project(), 0);

        Stream stream = Stream.open(PATH + "?sessionId=" + quiet.getSessionId(), "AK1", null);

        await().atMost(DEADLINE).until(() -> stream.comments().size() >= 3);
        assertEquals(List.of("keep-alive"), stream.comments().stream().distinct().toList());
        assertEquals(List.of(), stream.events());
        stream.close();
    }

    @Test
    @DisplayName("a client that stops reading is cut off without holding back the view or other streams; it resumes with its last id")
    void slowClient() throws Exception {
        String project = project();
        Session session = created("AK1", project, 1);
        Stream reader = Stream.open(PATH + "?sessionId=" + session.getSessionId(), "AK1", null);
        Stream sleeper = Stream.open("/tiny" + PATH + "?sessionId=" + session.getSessionId(), "AK1", null);
        sleeper.pause();
        int count = 400;

        // one at a time, so that the sleeper's connection takes some before its socket backs up
        for (int version = 2; version < count + 2; version++) write(1, session, version, SessionEventKind.WAITING);

        await().atMost(DEADLINE).until(() -> reader.events().size() == count);
        sleeper.resume();
        await().atMost(DEADLINE).until(sleeper::ended);
        List<Long> had = versions(sleeper.events());
        assertTrue(!had.isEmpty() && had.size() < count, "cut off after " + had.size());
        assertEquals(range(2, had.size() + 1), had, "what it had came in order");
        Stream back = Stream.open(PATH + "?sessionId=" + session.getSessionId(), "AK1", sleeper.events().getLast().id());
        await().atMost(DEADLINE).until(() -> back.events().size() == count - had.size());
        assertEquals(range(had.size() + 2, count + 1), versions(back.events()));
        assertFalse(reader.ended(), "the reader's stream is still open");
        for (Stream stream : List.of(reader, back)) stream.close();
    }

    /** What a client received of one event. */
    private record Received(String id, String event, JsonObject data) {}

    /**
     * A client of one stream, parsing frames as an EventSource does: lines up to a blank line,
     * {@code field: value}, a leading colon for a comment. Closing it stops what it records.
     */
    private static final class Stream {

        private final List<Received> events = new ArrayList<>();
        private final List<String> comments = new ArrayList<>();
        private final StringBuilder pending = new StringBuilder();
        private final AtomicBoolean ended = new AtomicBoolean();
        private HttpClientResponse response;
        private HttpConnection connection;
        private boolean closed;

        static Stream open(String path, String accessKey, String lastEventId) throws Exception {
            return open(path, accessKey, lastEventId, Role.USER);
        }

        static Stream open(String path, String accessKey, String lastEventId, Role role) throws Exception {
            Stream stream = new Stream();
            join(http.request(HttpMethod.GET, server.actualPort(), HOST, path).compose(request -> {
                request.putHeader(AS, accessKey).putHeader(ROLE, role.name());
                if (lastEventId != null) request.putHeader("Last-Event-ID", lastEventId);
                stream.connection = request.connection();
                stream.connection.closeHandler(gone -> stream.ended.set(true));
                return request.send();
            }).map(response -> {
                stream.response = response;
                response.handler(stream::feed);
                return response;
            }));
            assertEquals(200, stream.response.statusCode());
            return stream;
        }

        synchronized void feed(Buffer chunk) {
            if (closed) return;
            pending.append(chunk.toString());
            for (int end = pending.indexOf("\n\n"); end >= 0; end = pending.indexOf("\n\n")) {
                String block = pending.substring(0, end);
                pending.delete(0, end + 2);
                String id = null;
                String event = null;
                String data = null;
                for (String line : block.split("\n")) {
                    if (line.startsWith(":")) comments.add(line.substring(1).trim());
                    else if (line.startsWith("id: ")) id = line.substring(4);
                    else if (line.startsWith("event: ")) event = line.substring(7);
                    else if (line.startsWith("data: ")) data = line.substring(6);
                }
                if (data != null) events.add(new Received(id, event, new JsonObject(data)));
            }
        }

        synchronized List<Received> events() {
            return List.copyOf(events);
        }

        synchronized List<String> comments() {
            return List.copyOf(comments);
        }

        String contentType() {
            return response.getHeader("Content-Type");
        }

        void pause() {
            response.pause();
        }

        void resume() {
            response.resume();
        }

        boolean ended() {
            return ended.get();
        }

        /** Drops the connection; what it received so far is all it will have. */
        void close() throws Exception {
            synchronized (this) {
                closed = true;
            }
            join(connection.close());
        }
    }

    private static List<Long> range(long from, long toInclusive) {
        return LongStream.rangeClosed(from, toInclusive).boxed().toList();
    }

    /** The versions of {@code session} among "sessionId@version" keys, in their order. */
    private static List<Long> versionsOf(Session session, List<String> keys) {
        return keys.stream().filter(key -> key.startsWith(session.getSessionId() + "@"))
                .map(key -> Long.parseLong(key.substring(key.indexOf('@') + 1))).toList();
    }

    private static String project() {
        return "p-" + UUID.randomUUID();
    }

    /** A session of {@code owner} in {@code project}: its ENQUEUED event, once the view has it. */
    private static Session created(String owner, String project, int partition) throws Exception {
        Session session = TestEvents.session(UUID.randomUUID().toString(), owner, DOMAIN, project, 1);
        write(partition, session, 1, SessionEventKind.ENQUEUED);
        awaitViewed(session, 1);
        return session;
    }

    private static void awaitViewed(Session session, long version) {
        await().atMost(DEADLINE).until(() -> view.get(session.getSessionId()).filter(held -> held.getVersion() >= version).isPresent()
                && forgetful.get(session.getSessionId()).filter(held -> held.getVersion() >= version).isPresent());
    }

    /** One event of each session, as "sessionId@version". */
    private static List<String> both(Session left, Session right, long version) {
        try {
            write(0, left, version, SessionEventKind.WAITING);
            write(1, right, version, SessionEventKind.WAITING);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return List.of(left.getSessionId() + "@" + version, right.getSessionId() + "@" + version);
    }

    /** Event {@code version} of the session; its name carries the version, which clients do not see otherwise. */
    private static void write(int partition, Session session, long version, SessionEventKind kind) throws Exception {
        Session next = Session.newBuilder(session)
                .setVersion(version)
                .setSpec(SessionSpec.newBuilder(session.getSpec()).setName("s-" + version).setCommand(LONG_COMMAND).build())
                .build();
        byte[] value = BerthSerdes.SESSION_EVENT.serialize(topic, TestEvents.event(next, kind, "because"));
        producer.send(new ProducerRecord<>(topic, partition, session.getSessionId(), value)).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    private static List<Long> versions(List<Received> events) {
        return events.stream().map(event -> event.data().getJsonObject("session").getString("name"))
                .map(name -> Long.parseLong(name.substring("s-".length()))).toList();
    }

    private static List<String> keys(List<Received> events) {
        List<Long> versions = versions(events);
        return IntStream.range(0, events.size())
                .mapToObj(i -> events.get(i).data().getJsonObject("session").getString("sessionId") + "@" + versions.get(i)).toList();
    }

    private static List<String> sorted(List<String> keys) {
        return keys.stream().sorted().toList();
    }

    private static HttpResponse<Buffer> get(String path, String accessKey, String lastEventId) throws Exception {
        var request = web.get(server.actualPort(), HOST, path).putHeader(AS, accessKey);
        if (lastEventId != null) request.putHeader("Last-Event-ID", lastEventId);
        return join(request.send());
    }

    private static void assertProblem(HttpResponse<Buffer> response, int status, String type, String detailPart) {
        String text = response.bodyAsString();
        assertEquals(status, response.statusCode(), text);
        JsonObject problem = response.bodyAsJsonObject();
        assertTrue(problem.getString("type").endsWith("/" + type), text);
        assertTrue(problem.getString("detail").contains(detailPart), text);
    }

    private static <T> T join(Future<T> future) throws Exception {
        CompletableFuture<T> done = future.toCompletionStage().toCompletableFuture();
        return done.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }
}
