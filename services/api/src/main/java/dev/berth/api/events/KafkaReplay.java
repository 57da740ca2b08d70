package dev.berth.api.events;

import dev.berth.api.session.EventFanOut.Published;
import dev.berth.common.KafkaClients;
import dev.berth.schema.BerthSerdes;
import dev.berth.schema.avro.SessionEvent;
import java.time.Duration;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resumes older than the view keeps in memory: a short-lived consumer without a group reads
 * {@code session.events} from right after the resume position on each partition (from its
 * beginning where the position names none, or its oldest record once retention deleted that far)
 * up to where the view stood when the stream joined; the live events take over from there.
 */
public final class KafkaReplay {

    private static final Logger log = LoggerFactory.getLogger(KafkaReplay.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final String bootstrap;
    private final String topic;

    public KafkaReplay(String bootstrap, String topic) {
        this.bootstrap = bootstrap;
        this.topic = topic;
    }

    /**
     * The events after {@code after} up to and including {@code until}'s offset on each partition,
     * or fewer once {@code stopped} says the client is gone.
     */
    Reader open(Map<Integer, Long> after, Map<Integer, Long> until, BooleanSupplier stopped) {
        Map<String, Object> props = KafkaClients.consumer(bootstrap, null, "berth-api-event-replay");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        // decoded one by one, as the view does, so that a bad record is skipped rather than failing the poll
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props);
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            for (TopicPartition partition : partitions) {
                Long passed = after.get(partition.partition());
                if (passed == null) consumer.seekToBeginning(List.of(partition));
                else consumer.seek(partition, passed + 1);
            }
            return new Reader(consumer, partitions, until, stopped);
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    /** The replayed events in the order they are read: each partition in offset order. */
    static final class Reader implements Iterator<Published>, AutoCloseable {

        private final KafkaConsumer<String, byte[]> consumer;
        private final List<TopicPartition> partitions;
        private final Map<Integer, Long> until;
        private final BooleanSupplier stopped;
        private Iterator<ConsumerRecord<String, byte[]>> batch = Collections.emptyIterator();
        private Published next;

        private Reader(KafkaConsumer<String, byte[]> consumer, List<TopicPartition> partitions, Map<Integer, Long> until,
                       BooleanSupplier stopped) {
            this.consumer = consumer;
            this.partitions = partitions;
            this.until = until;
            this.stopped = stopped;
        }

        @Override
        public boolean hasNext() {
            while (next == null) {
                if (batch.hasNext()) next = decode(batch.next());
                else if (reachedUntil() || stopped.getAsBoolean()) return false;
                else batch = consumer.poll(POLL).iterator();
            }
            return true;
        }

        @Override
        public Published next() {
            if (!hasNext()) throw new NoSuchElementException();
            Published record = next;
            next = null;
            return record;
        }

        @Override
        public void close() {
            consumer.close();
        }

        private boolean reachedUntil() {
            return partitions.stream().allMatch(partition -> consumer.position(partition) > until.getOrDefault(partition.partition(), -1L));
        }

        private Published decode(ConsumerRecord<String, byte[]> record) {
            try {
                SessionEvent event = BerthSerdes.SESSION_EVENT.deserialize(record.topic(), record.value());
                return event == null ? null : new Published(record.partition(), record.offset(), event);
            } catch (SerializationException e) {
                log.warn("skipping {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
                return null;
            }
        }
    }
}
