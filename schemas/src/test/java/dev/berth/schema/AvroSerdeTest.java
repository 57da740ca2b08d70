package dev.berth.schema;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.schema.avro.KernelEvent;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionAdmitted;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionPlaced;
import dev.berth.schema.avro.SessionRequest;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("AvroSerde: Avro single-object encoding of every topic's records")
class AvroSerdeTest {

    private static final String TOPIC = "t.session.requests";
    /** Avro single-object encoding: 2 marker bytes, then the 8-byte CRC-64-AVRO fingerprint, then the body. */
    private static final int HEADER = 10;
    /** Where the .avsc files live relative to the module, the directory surefire runs in. */
    private static final Path AVRO_DIR = Path.of("src", "main", "avro");
    /** Named types other files refer to, in the order they must be parsed. */
    private static final List<String> SHARED_SCHEMAS = List.of(
            "common/SessionStatus.avsc", "common/KernelStatus.avsc", "common/SessionSpec.avsc",
            "common/KernelInfo.avsc", "common/SchedulerStatus.avsc", "common/Session.avsc");

    /** A record, the serde of its topic and the .avsc file that declares its type. */
    record Case(String avsc, AvroSerde<? extends SpecificRecord> serde, SpecificRecord record) {

        @SuppressWarnings("unchecked")
        AvroSerde<SpecificRecord> anySerde() {
            return (AvroSerde<SpecificRecord>) serde;
        }

        byte[] bytes() {
            return anySerde().serialize(TOPIC, record);
        }

        String typeName() {
            return serde.type().getSimpleName();
        }
    }

    static Stream<Named<Case>> cases() {
        return Stream.of(
                named("SessionRequest{CreateSession}", "SessionRequest.avsc", BerthSerdes.SESSION_REQUEST, SampleRecords.create()),
                named("SessionRequest{DestroySession}", "SessionRequest.avsc", BerthSerdes.SESSION_REQUEST, SampleRecords.destroy()),
                named("SessionRequest{RenameSession}", "SessionRequest.avsc", BerthSerdes.SESSION_REQUEST, SampleRecords.rename()),
                named("SessionAdmitted", "SessionAdmitted.avsc", BerthSerdes.SESSION_ADMITTED, SampleRecords.admitted()),
                named("SessionPlaced", "SessionPlaced.avsc", BerthSerdes.SESSION_PLACED, SampleRecords.placed()),
                named("SessionEvent with a 2-kernel Session", "SessionEvent.avsc", BerthSerdes.SESSION_EVENT, SampleRecords.sessionEvent()),
                named("Session with 2 kernels", "common/Session.avsc", BerthSerdes.SESSION, SampleRecords.session()),
                named("AgentHeartbeat", "AgentHeartbeat.avsc", BerthSerdes.AGENT_HEARTBEAT, SampleRecords.heartbeat()),
                named("AgentCommand{CreateKernel}", "AgentCommand.avsc", BerthSerdes.AGENT_COMMAND, SampleRecords.createKernel()),
                named("AgentCommand{DestroyKernel}", "AgentCommand.avsc", BerthSerdes.AGENT_COMMAND, SampleRecords.destroyKernel()),
                named("AgentCommand{SetSchedulable}", "AgentCommand.avsc", BerthSerdes.AGENT_COMMAND, SampleRecords.setSchedulable()),
                named("KernelEvent", "KernelEvent.avsc", BerthSerdes.KERNEL_EVENT, SampleRecords.kernelEvent()),
                named("SessionRequest{AgentLost}", "SessionRequest.avsc", BerthSerdes.SESSION_REQUEST, SampleRecords.agentLost()),
                named("SessionEnded", "SessionEnded.avsc", BerthSerdes.SESSION_ENDED, SampleRecords.ended()),
                named("SessionOutcome", "SessionOutcome.avsc", BerthSerdes.SESSION_OUTCOME, SampleRecords.outcome()),
                named("KernelStats", "KernelStats.avsc", BerthSerdes.KERNEL_STATS, SampleRecords.kernelStats()),
                named("SchedulingUpdate", "SchedulingUpdate.avsc", BerthSerdes.SCHEDULING_UPDATE, SampleRecords.schedulingUpdate()),
                named("KeypairConfig", "KeypairConfig.avsc", BerthSerdes.KEYPAIR_CONFIG, SampleRecords.keypair()),
                named("ResourceLimits", "ResourceLimits.avsc", BerthSerdes.RESOURCE_LIMITS, SampleRecords.limits()),
                named("ScalingGroupConfig", "ScalingGroupConfig.avsc", BerthSerdes.SCALING_GROUP_CONFIG, SampleRecords.scalingGroup()),
                named("SessionActivity", "SessionActivity.avsc", BerthSerdes.SESSION_ACTIVITY, SampleRecords.activity()),
                named("UsageRecord", "UsageRecord.avsc", BerthSerdes.USAGE_RECORD, SampleRecords.usage()),
                named("IdleState", "IdleState.avsc", BerthSerdes.IDLE_STATE, SampleRecords.idleState()),
                named("UsageMeter", "UsageMeter.avsc", BerthSerdes.USAGE_METER, SampleRecords.usageMeter()),
                named("WebhookDeadLetter", "WebhookDeadLetter.avsc", BerthSerdes.WEBHOOK_DEAD_LETTER, SampleRecords.webhookDeadLetter()));
    }

    private static <T extends SpecificRecord> Named<Case> named(String name, String avsc, AvroSerde<T> serde, T record) {
        return Named.of(name, new Case(avsc, serde, record));
    }

    @Test
    @DisplayName("the cases below cover every AvroSerde that BerthSerdes declares")
    void casesCoverEverySerde() throws IllegalAccessException {
        // given
        Set<Class<?>> declared = new HashSet<>();
        for (Field field : BerthSerdes.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.get(null) instanceof AvroSerde<?> serde) {
                declared.add(serde.type());
            }
        }
        // when
        Set<Class<?>> covered = cases().map(named -> named.getPayload().serde().type()).collect(Collectors.toSet());
        // then
        assertEquals(declared, covered);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @DisplayName("null serializes to null and null bytes deserialize to null (tombstones)")
    void nullToNull(Case given) {
        assertNull(given.anySerde().serialize(TOPIC, null));
        assertNull(given.serde().deserialize(TOPIC, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @DisplayName("bytes that are not Avro fail with a SerializationException naming the expected type")
    void garbage(Case given) {
        // given
        byte[] garbage = "definitely not avro".getBytes(StandardCharsets.UTF_8);
        // when
        var e = assertThrows(SerializationException.class, () -> given.serde().deserialize(TOPIC, garbage));
        // then
        assertTrue(e.getMessage().contains(given.typeName()), e.getMessage());
        assertTrue(e.getMessage().contains(TOPIC), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @DisplayName("an empty value fails with a SerializationException")
    void empty(Case given) {
        var e = assertThrows(SerializationException.class, () -> given.serde().deserialize(TOPIC, new byte[0]));
        assertTrue(e.getMessage().contains(given.typeName()), e.getMessage());
    }

    @Test
    @DisplayName("a record of another type (its fingerprint unknown to the reader) fails with a SerializationException")
    void otherType() {
        // given
        byte[] kernelEvent = BerthSerdes.KERNEL_EVENT.serialize(TOPIC, SampleRecords.kernelEvent());
        // when
        var e = assertThrows(SerializationException.class, () -> BerthSerdes.SESSION_REQUEST.deserialize(TOPIC, kernelEvent));
        // then
        assertTrue(e.getMessage().contains("SessionRequest"), e.getMessage());
    }

    @Test
    @DisplayName("each serialize returns its own bytes: a later call does not overwrite an earlier result")
    void bytesAreNotShared() {
        // given
        byte[] first = BerthSerdes.SESSION_REQUEST.serialize(TOPIC, SampleRecords.create());
        byte[] copy = first.clone();
        // when
        byte[] second = BerthSerdes.SESSION_REQUEST.serialize(TOPIC, SampleRecords.rename());
        // then
        assertArrayEquals(copy, first);
        assertFalse(Arrays.equals(first, second));
    }

    @Nested
    @DisplayName("records written with an earlier schema")
    class Older {

        /** The fingerprint that every AgentCommand written before SetSchedulable carries. */
        private static final long AGENT_COMMAND_1 = -53993827808675716L;

        @Test
        @DisplayName("the kept AgentCommand schema is the one those records name by fingerprint")
        void keptSchemaHasTheOldFingerprint() {
            Schema kept = BerthSerdes.older("AgentCommand.1.avsc").getFirst();
            assertEquals(AGENT_COMMAND_1, SchemaNormalization.parsingFingerprint64(kept));
            assertFalse(AGENT_COMMAND_1 == SchemaNormalization.parsingFingerprint64(AgentCommand.getClassSchema()),
                    "the current schema has moved on");
        }

        @Test
        @DisplayName("a destroy written before SetSchedulable existed decodes with today's classes")
        void oldDestroyDecodes() throws IOException {
            // given: a destroy encoded with the earlier schema, by plain Avro
            Schema kept = BerthSerdes.older("AgentCommand.1.avsc").getFirst();
            Schema destroySchema = kept.getField("op").schema().getTypes().get(1);
            GenericRecord destroy = new org.apache.avro.generic.GenericData.Record(destroySchema);
            destroy.put("kernelId", "k1");
            destroy.put("sessionId", "s1");
            destroy.put("reason", "user-requested");
            GenericRecord command = new org.apache.avro.generic.GenericData.Record(kept);
            command.put("commandId", "c1");
            command.put("agentId", "agent-1");
            command.put("at", SampleRecords.AT.toEpochMilli());
            command.put("op", destroy);
            ByteBuffer encoded = new org.apache.avro.message.BinaryMessageEncoder<GenericRecord>(
                    org.apache.avro.generic.GenericData.get(), kept).encode(command);
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            assertEquals(AGENT_COMMAND_1, fingerprintOf(bytes));
            // when
            AgentCommand decoded = BerthSerdes.AGENT_COMMAND.deserialize(TOPIC, bytes);
            // then
            assertEquals(new dev.berth.schema.avro.DestroyKernel("k1", "s1", "user-requested"), decoded.getOp());
            assertEquals("agent-1", decoded.getAgentId());
        }
    }

    @Nested
    @DisplayName("readable by a standard Avro consumer that has only the .avsc files")
    class StandardConsumer {

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.berth.schema.AvroSerdeTest#cases")
        @DisplayName("marker C3 01, then the little-endian CRC-64-AVRO fingerprint of the .avsc, then a body a GenericDatumReader reads to the end")
        void header(Case given) throws IOException {
            // given
            Schema writer = parseAvsc(given.avsc());
            // when
            byte[] bytes = given.bytes();
            // then
            assertEquals((byte) 0xC3, bytes[0], "first marker byte");
            assertEquals((byte) 0x01, bytes[1], "second marker byte");
            assertEquals(SchemaNormalization.parsingFingerprint64(writer), fingerprintOf(bytes),
                    "fingerprint of " + given.avsc());
            BinaryDecoder body = DecoderFactory.get().binaryDecoder(bytes, HEADER, bytes.length - HEADER, null);
            GenericRecord decoded = new GenericDatumReader<GenericRecord>(writer).read(null, body);
            assertTrue(body.isEnd(), "the body holds exactly one record");
            assertEquals(writer.getFullName(), decoded.getSchema().getFullName());
        }

        @Test
        @DisplayName("a create request decodes field by field without Berth's classes")
        void createFields() throws IOException {
            // given
            byte[] bytes = BerthSerdes.SESSION_REQUEST.serialize(TOPIC, SampleRecords.create());
            // when
            GenericRecord request = decodeGeneric("SessionRequest.avsc", bytes);
            // then
            assertEquals("req-create", request.get("requestId").toString());
            assertEquals(SampleRecords.SESSION_ID, request.get("sessionId").toString());
            assertEquals(SampleRecords.AT.toEpochMilli(), request.get("at"));
            GenericRecord op = (GenericRecord) request.get("op");
            assertEquals("CreateSession", op.getSchema().getName());
            GenericRecord spec = (GenericRecord) op.get("spec");
            assertEquals("train-42", spec.get("name").toString());
            assertEquals("BATCH", spec.get("sessionType").toString());
            assertEquals(2, spec.get("clusterSize"));
            assertEquals(Map.of("cpu", 1500L, "mem", 2 * SampleRecords.GIB, "cuda.shares", 250L), stringKeys(spec.get("resources")));
            assertEquals("nightly", spec.get("tag").toString());
        }

        @Test
        @DisplayName("a session event carries the whole session with both kernels")
        void sessionEventFields() throws IOException {
            // given
            byte[] bytes = BerthSerdes.SESSION_EVENT.serialize(TOPIC, SampleRecords.sessionEvent());
            // when
            GenericRecord event = decodeGeneric("SessionEvent.avsc", bytes);
            // then
            assertEquals("TERMINATED", event.get("kind").toString());
            GenericRecord session = (GenericRecord) event.get("session");
            assertEquals("SUCCESS", session.get("result").toString());
            assertEquals(7L, session.get("version"));
            List<?> kernels = (List<?>) session.get("kernels");
            assertEquals(2, kernels.size());
            assertEquals("main1", ((GenericRecord) kernels.get(0)).get("clusterHostname").toString());
            assertEquals("sub1", ((GenericRecord) kernels.get(1)).get("clusterHostname").toString());
            assertEquals(1, ((GenericRecord) kernels.get(1)).get("exitCode"));
        }

        @Test
        @DisplayName("the fingerprint of the generated class's schema equals the .avsc's, so the two never drift apart")
        void generatedMatchesAvsc() throws IOException {
            assertEquals(SchemaNormalization.parsingFingerprint64(parseAvsc("SessionRequest.avsc")),
                    SchemaNormalization.parsingFingerprint64(SessionRequest.getClassSchema()));
            assertEquals(SchemaNormalization.parsingFingerprint64(parseAvsc("AgentCommand.avsc")),
                    SchemaNormalization.parsingFingerprint64(AgentCommand.getClassSchema()));
        }

        private static GenericRecord decodeGeneric(String avsc, byte[] bytes) throws IOException {
            Schema writer = parseAvsc(avsc);
            assertEquals(SchemaNormalization.parsingFingerprint64(writer), fingerprintOf(bytes));
            return new GenericDatumReader<GenericRecord>(writer)
                    .read(null, DecoderFactory.get().binaryDecoder(bytes, HEADER, bytes.length - HEADER, null));
        }

        private static Map<String, Object> stringKeys(Object avroMap) {
            Map<String, Object> out = new HashMap<>();
            ((Map<?, ?>) avroMap).forEach((k, v) -> out.put(k.toString(), v));
            return out;
        }
    }

    /** Decoding needs Avro to instantiate Berth's generated classes, which it does only for trusted packages. */
    @Nested
    @DisplayName("decoding with Berth's classes")
    class Decoding {

        @Test
        @DisplayName("after BerthSerdes is loaded, Avro trusts every generated class, without JVM flags")
        void berthClassesAreTrusted() {
            // given
            List<Class<?>> generated = List.of(SessionRequest.class, SessionAdmitted.class, SessionPlaced.class,
                    SessionEvent.class, Session.class, AgentHeartbeat.class, AgentCommand.class, KernelEvent.class,
                    dev.berth.schema.avro.CreateSession.class, dev.berth.schema.avro.SessionSpec.class);
            // when: loading BerthSerdes runs its static block, which installs the trust
            BerthSerdes.SESSION_REQUEST.type();
            var predicate = ClassSecurityValidator.getGlobal();
            // then
            for (Class<?> type : generated) assertTrue(predicate.isTrusted(type), type.getName() + " is not trusted");
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.berth.schema.AvroSerdeTest#cases")
        @DisplayName("every record round-trips to an equal record")
        void roundTrip(Case given) {
            // when
            SpecificRecord decoded = given.serde().deserialize(TOPIC, given.bytes());
            // then
            assertEquals(given.record(), decoded);
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.berth.schema.AvroSerdeTest#cases")
        @DisplayName("a record cut short fails with a SerializationException naming the type")
        void truncated(Case given) {
            // given
            byte[] bytes = given.bytes();
            byte[] cut = Arrays.copyOf(bytes, bytes.length - 1);
            // when
            var e = assertThrows(SerializationException.class, () -> given.serde().deserialize(TOPIC, cut));
            // then
            assertTrue(e.getMessage().contains(given.typeName()), e.getMessage());
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.berth.schema.AvroSerdeTest#cases")
        @DisplayName("a corrupted body either decodes or fails with a SerializationException, never anything else")
        void corruptedBody(Case given) {
            // given
            long seed = 0xBE27L;
            Random random = new Random(seed);
            byte[] valid = given.bytes();
            for (int round = 0; round < 500; round++) {
                byte[] corrupt = valid.clone();
                int flips = 1 + random.nextInt(3);
                for (int f = 0; f < flips; f++) corrupt[HEADER + random.nextInt(valid.length - HEADER)] = (byte) random.nextInt(256);
                // when
                try {
                    given.serde().deserialize(TOPIC, corrupt);
                } catch (SerializationException expected) {
                    // then: the one exception the serde promises for bad bytes
                } catch (RuntimeException e) {
                    fail("seed " + seed + " round " + round + ": " + Arrays.toString(corrupt) + " threw " + e, e);
                }
            }
        }

        @Test
        @DisplayName("a record claiming a string longer than any array fails with a SerializationException")
        void lengthBeyondArrayLimit() {
            byte[] evil = withClaimedLength(1L << 31);
            var e = assertThrows(SerializationException.class, () -> BerthSerdes.SESSION_REQUEST.deserialize(TOPIC, evil));
            assertTrue(e.getMessage().contains("SessionRequest"), e.getMessage());
        }

        @Test
        @DisplayName("a record claiming a huge string fails with a SerializationException without allocating the claimed size")
        void hugeClaimedLength() {
            // given
            byte[] evil = withClaimedLength(Integer.MAX_VALUE - 15L);
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            // when
            assertThrows(SerializationException.class, () -> BerthSerdes.SESSION_REQUEST.deserialize(TOPIC, evil));
            // then
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < 64L << 20, "decoding 15 bytes allocated " + allocated + " bytes");
        }

        /** A valid SessionRequest header, then a zig-zag varint saying the request id is {@code length} bytes long. */
        private static byte[] withClaimedLength(long length) {
            byte[] valid = BerthSerdes.SESSION_REQUEST.serialize(TOPIC, SampleRecords.create());
            byte[] evil = Arrays.copyOf(valid, HEADER + 10);
            long zigzag = length << 1;
            int at = HEADER;
            while ((zigzag & ~0x7FL) != 0) {
                evil[at++] = (byte) ((zigzag & 0x7F) | 0x80);
                zigzag >>>= 7;
            }
            evil[at++] = (byte) zigzag;
            return Arrays.copyOf(evil, at);
        }
    }

    private static long fingerprintOf(byte[] bytes) {
        return ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** Parses one .avsc file the way any Avro consumer would: the shared named types first, then the file. */
    private static Schema parseAvsc(String file) throws IOException {
        Schema.Parser parser = new Schema.Parser();
        Schema last = null;
        for (String shared : SHARED_SCHEMAS) {
            last = parser.parse(Files.readString(AVRO_DIR.resolve(shared)));
            if (shared.equals(file)) return last;
        }
        return parser.parse(Files.readString(AVRO_DIR.resolve(file)));
    }
}
