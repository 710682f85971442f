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
     * After each callback of a task: how many records its buffer store holds (read, not yet forwarded) and how many
     * entries its partials store holds (finished segments of long documents still running); 0 and 0 when the task
     * closes here.
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
