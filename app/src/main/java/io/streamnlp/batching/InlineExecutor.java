package io.streamnlp.batching;

import io.streamnlp.api.engine.EnrichmentEngine;
import java.util.List;

/** Runs every batch on the stream thread, on all of the engine's lanes: nothing is ever in flight between calls. */
final class InlineExecutor implements BatchExecutor {
    private final EnrichmentEngine engine;
    private final PendingQueue queue;
    private final Breaker breaker;

    InlineExecutor(EnrichmentEngine engine, PendingQueue queue, Breaker breaker) {
        this.engine = engine;
        this.queue = queue;
        this.breaker = breaker;
    }

    @Override
    public boolean canFlush(BatchListener.Trigger trigger) {
        return true;
    }

    @Override
    public boolean execute(List<Pending> batch, BatchListener.Trigger trigger) {
        long queueNanos = System.nanoTime() - batch.get(0).enqueuedNanos();
        breaker.run(batch, trigger, queueNanos, engine::infer);
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
