package io.streamnlp.batching;

import java.util.List;

/**
 * How a coordinator runs the batches its queue flushes: on the stream thread ({@link InlineExecutor}) or on
 * inference threads over the engine's lanes ({@link OverlapExecutor}). Chosen once, when the coordinator is made;
 * every method is called on the stream thread.
 */
interface BatchExecutor {
    /**
     * Whether a batch flushed for this trigger may go now. A full batch always may (it waits for a lane: back-pressure);
     * a timed one does not wait for a busy device, so the batch keeps filling. May deliver finished batches first.
     */
    boolean canFlush(BatchListener.Trigger trigger);

    /**
     * Runs a batch taken from the queue, or hands it to an inference thread; false when it went back to the head of
     * the queue instead (interrupted waiting for a lane).
     */
    boolean execute(List<Pending> batch, BatchListener.Trigger trigger);

    /** Delivers the batches finished on other threads, in flush order. */
    void collect();

    /** Batches flushed and not yet delivered. */
    int inFlight();

    /** Waits (at most {@code timeoutMs}) until every flushed batch is delivered; false on timeout. */
    boolean awaitInFlight(long timeoutMs) throws InterruptedException;
}
