package io.streamnlp.topology;

import io.streamnlp.api.dlq.RejectReason;

/**
 * Told about every record the topology reads, writes or dead-letters: the hook metrics count with.
 * Called on stream threads; implementations must be thread-safe and cheap.
 */
public interface RecordMetrics {
    /** A record was read from {@code topic}. */
    void received(String topic);

    /** An event was forwarded to output {@code topic}. */
    void emitted(String topic);

    /** A record went to the dead-letter topic for {@code reason}. */
    void deadLettered(RejectReason reason);

    /**
     * How many entries task {@code taskId}'s stores hold now: its batch buffer (records not yet forwarded) and its
     * partials store (finished segments of long documents). Report after a change, and {@code 0, 0} when the task
     * closes (its stores are no longer this instance's): the gauges sum the latest report of every task.
     */
    default void storeSizes(String taskId, int bufferRecords, int partialRecords) {}

    RecordMetrics NONE = new RecordMetrics() {
        @Override
        public void received(String topic) {}

        @Override
        public void emitted(String topic) {}

        @Override
        public void deadLettered(RejectReason reason) {}
    };
}
