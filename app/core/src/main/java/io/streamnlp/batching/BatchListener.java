package io.streamnlp.batching;

import io.streamnlp.api.engine.BatchStats;

/** Told about every batch a coordinator runs: the hook for metrics and tests. */
public interface BatchListener {
    /** Why a batch was flushed. */
    enum Trigger {
        RECORDS,
        TOKENS,
        MAX_WAIT,
        IDLE,
        CLOSE
    }

    /**
     * @param stats     what the engine reported
     * @param owners    how many tasks (partitions) contributed records
     * @param trigger   what flushed it
     * @param queueNanos how long its oldest record waited before inference started
     */
    void onBatch(BatchStats stats, int owners, Trigger trigger, long queueNanos);

    /** A batch failed inference and was split to isolate the record(s) that made it fail. */
    default void onInferenceFailure(int batchSize, Exception error) {}

    BatchListener NONE = (stats, owners, trigger, queueNanos) -> {};
}
