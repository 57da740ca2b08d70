package dev.berth.schema;

import dev.berth.schema.avro.AgentCommand;
import dev.berth.schema.avro.AgentHeartbeat;
import dev.berth.schema.avro.IdleState;
import dev.berth.schema.avro.KernelEvent;
import dev.berth.schema.avro.KernelStats;
import dev.berth.schema.avro.KeypairConfig;
import dev.berth.schema.avro.ResourceLimits;
import dev.berth.schema.avro.ScalingGroupConfig;
import dev.berth.schema.avro.SchedulingUpdate;
import dev.berth.schema.avro.Session;
import dev.berth.schema.avro.SessionActivity;
import dev.berth.schema.avro.SessionAdmitted;
import dev.berth.schema.avro.SessionEnded;
import dev.berth.schema.avro.SessionEvent;
import dev.berth.schema.avro.SessionOutcome;
import dev.berth.schema.avro.SessionPlaced;
import dev.berth.schema.avro.SessionRequest;
import dev.berth.schema.avro.UsageMeter;
import dev.berth.schema.avro.UsageRecord;
import dev.berth.schema.avro.WebhookDeadLetter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** The one place that says how each topic's records are (de)serialized. Keys are UTF-8 strings. */
public final class BerthSerdes {

    static {
        // a corrupt length prefix must not make a decoder allocate gigabytes; must be set before Avro reads it
        limit("org.apache.avro.limits.string.maxLength", 16 << 20);
        limit("org.apache.avro.limits.bytes.maxLength", 16 << 20);
        limit("org.apache.avro.limits.collectionItems.maxLength", 1 << 20);
        // Avro 1.12.2 refuses to instantiate classes outside a trusted list; Berth's own records are trusted.
        String ours = SessionRequest.class.getPackageName() + ".";
        ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(previous, type -> type.getName().startsWith(ours)));
    }

    public static final Serde<String> KEY = Serdes.String();
    public static final AvroSerde<SessionRequest> SESSION_REQUEST = new AvroSerde<>(SessionRequest.class);
    public static final AvroSerde<SessionAdmitted> SESSION_ADMITTED = new AvroSerde<>(SessionAdmitted.class);
    public static final AvroSerde<SessionPlaced> SESSION_PLACED = new AvroSerde<>(SessionPlaced.class);
    public static final AvroSerde<SessionEvent> SESSION_EVENT = new AvroSerde<>(SessionEvent.class);
    public static final AvroSerde<Session> SESSION = new AvroSerde<>(Session.class);
    public static final AvroSerde<AgentHeartbeat> AGENT_HEARTBEAT = new AvroSerde<>(AgentHeartbeat.class);
    public static final AvroSerde<AgentCommand> AGENT_COMMAND = new AvroSerde<>(AgentCommand.class, older("AgentCommand.1.avsc"));
    public static final AvroSerde<KernelEvent> KERNEL_EVENT = new AvroSerde<>(KernelEvent.class);
    public static final AvroSerde<KernelStats> KERNEL_STATS = new AvroSerde<>(KernelStats.class);
    public static final AvroSerde<SessionEnded> SESSION_ENDED = new AvroSerde<>(SessionEnded.class);
    public static final AvroSerde<SessionOutcome> SESSION_OUTCOME = new AvroSerde<>(SessionOutcome.class);
    public static final AvroSerde<SchedulingUpdate> SCHEDULING_UPDATE = new AvroSerde<>(SchedulingUpdate.class);
    public static final AvroSerde<KeypairConfig> KEYPAIR_CONFIG = new AvroSerde<>(KeypairConfig.class);
    public static final AvroSerde<ResourceLimits> RESOURCE_LIMITS = new AvroSerde<>(ResourceLimits.class);
    public static final AvroSerde<ScalingGroupConfig> SCALING_GROUP_CONFIG = new AvroSerde<>(ScalingGroupConfig.class);
    public static final AvroSerde<SessionActivity> SESSION_ACTIVITY = new AvroSerde<>(SessionActivity.class);
    public static final AvroSerde<UsageRecord> USAGE_RECORD = new AvroSerde<>(UsageRecord.class);
    public static final AvroSerde<IdleState> IDLE_STATE = new AvroSerde<>(IdleState.class);
    public static final AvroSerde<UsageMeter> USAGE_METER = new AvroSerde<>(UsageMeter.class);
    public static final AvroSerde<WebhookDeadLetter> WEBHOOK_DEAD_LETTER = new AvroSerde<>(WebhookDeadLetter.class);

    private BerthSerdes() {}

    /** Earlier versions of a schema, each self-contained, from {@code dev/berth/schema/older/}. */
    static List<Schema> older(String... files) {
        return Arrays.stream(files).map(file -> {
            try (InputStream in = BerthSerdes.class.getResourceAsStream("older/" + file)) {
                if (in == null) throw new IllegalStateException("older schema " + file + " is missing from the classpath");
                return new Schema.Parser().parse(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read older schema " + file, e);
            }
        }).toList();
    }

    private static void limit(String property, int value) {
        if (System.getProperty(property) == null) System.setProperty(property, Integer.toString(value));
    }
}
