package io.streamnlp.batching;

import io.streamnlp.api.engine.EnrichmentEngine;
import java.util.List;

/**
 * Runs batches on the stream thread, on all of the engine's lanes (taken from the engine's shared {@link Lanes}, so a
 * batch of another coordinator or enricher of the same engine never runs on them meanwhile): nothing is ever in
 * flight between calls. At most one batch per callback, and the wait for the lanes is bounded by the policy's budget.
 */
final class InlineExecutor implements BatchExecutor {
    private final EnrichmentEngine engine;
    private final PendingQueue queue;
    private final Breaker breaker;
    private final Lanes lanes;
    private final long budgetNanos;
    /** A batch ran in this callback: the next one waits for a later callback. */
    private boolean ran;

    InlineExecutor(EnrichmentEngine engine, PendingQueue queue, Breaker breaker, Lanes lanes, BatchPolicy policy) {
        this.engine = engine;
        this.queue = queue;
        this.breaker = breaker;
        this.lanes = lanes;
        this.budgetNanos = policy.budget().toNanos();
    }

    @Override
    public void callbackStarted() {
        ran = false;
    }

    @Override
    public boolean canFlush(BatchListener.Trigger trigger) {
        return !ran;
    }

    @Override
    public boolean execute(List<Pending> batch, BatchListener.Trigger trigger) {
        int[] all;
        try {
            all = lanes.acquireAll(budgetNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            all = null;
        }
        if (all == null) { // the lanes stayed busy (another enrichment of the engine) for a whole budget
            queue.requeue(batch);
            queue.threadWasAway(System.nanoTime());
            return false;
        }
        ran = true;
        int[] mine = all;
        try {
            long queueNanos = System.nanoTime() - batch.get(0).enqueuedNanos();
            breaker.run(batch, trigger, queueNanos, docs -> engine.infer(docs, mine));
        } finally {
            lanes.release(mine);
        }
        queue.threadWasAway(System.nanoTime());
        return true;
    }

    @Override
    public void collect() {}

    @Override
    public int inFlight() {
        return 0;
    }

    @Override
    public boolean awaitInFlight(long timeoutMs) {
        return true;
    }
}
