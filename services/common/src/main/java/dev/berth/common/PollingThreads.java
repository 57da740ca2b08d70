package dev.berth.common;

import java.time.Duration;
import org.apache.kafka.clients.consumer.Consumer;

/** The one way Berth stops a thread that polls a Kafka consumer and closes it when its loop ends. */
public final class PollingThreads {

    private static final Duration JOIN = Duration.ofSeconds(10);

    private PollingThreads() {}

    /**
     * Wakes the consumer out of its poll and waits for the thread to finish; the caller has already
     * told its loop to stop. A thread that never started cannot close its consumer, so this does.
     */
    public static void stop(Consumer<?, ?> consumer, Thread thread) {
        if (thread.getState() == Thread.State.NEW) {
            consumer.close();
            return;
        }
        consumer.wakeup();
        try {
            thread.join(JOIN);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
