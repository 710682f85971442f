package io.streamnlp.batching;

import java.util.List;

/**
 * How a coordinator runs the batches its queue flushes: on the stream thread ({@link InlineExecutor}) or on
 * inference threads over the engine's lanes ({@link OverlapExecutor}). Chosen once, when the coordinator is made;
 * every method is called on the stream thread.
 */
interface BatchExecutor {
    /** A stream-thread callback (process, punctuation) starts: what bounds inference per callback starts again. */
    void callbackStarted();

    /**
     * Whether a batch flushed for this trigger may go now (within this callback's bound; else it stays queued for a
     * later callback). May deliver finished batches first.
     */
    boolean canFlush(BatchListener.Trigger trigger);

    /**
     * Runs a batch taken from the queue, or hands it to an inference thread; false when it went back to the head of
     * the queue instead (no lane within the callback's bound, or interrupted waiting for one).
     */
    boolean execute(List<Pending> batch, BatchListener.Trigger trigger);

    /** Delivers the batches finished on other threads, in flush order. */
    void collect();

    /** Batches flushed and not yet delivered. */
    int inFlight();

    /** Waits (at most {@code timeoutMs}) until every flushed batch is delivered; false on timeout. */
    boolean awaitInFlight(long timeoutMs) throws InterruptedException;
}
