package io.streamnlp.batching;

import io.streamnlp.api.engine.BatchResult;
import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.engine.EngineFailureException;
import io.streamnlp.api.engine.EnrichmentEngine;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs a flushed batch on an inference thread on free lanes while the stream thread goes on polling, buffering and
 * committing: with a backlog (a batch still running, or a full one waiting) each batch takes one lane, so several
 * batches run side by side (one single-threaded session per core is ONNX Runtime's fastest CPU setup); with none it
 * is split over as many free lanes as give each at least {@value #MIN_SEQUENCES_PER_LANE} sequences (lowest latency for
 * a batch worth splitting; see {@link #spread}). A batch with no free lane stays in the
 * queue for a later callback (so it keeps growing: a busy device gets bigger batches); only a queue of
 * {@value #BACKLOG_BATCHES} full batches or more makes a callback wait for a lane (back-pressure: the queue's documents
 * are in memory), once per callback and for at most the policy's budget. A batch of long documents leaves one lane to
 * the short records behind it (they are batched apart, see {@link PendingQueue#take()}). Results are delivered as
 * batches finish, in any order: a short record's batch
 * is not held behind a long one flushed before it (each task keeps its keys' events in input order).
 * The inference threads only run the engine and hand back what it returned or threw: the stream thread judges it.
 */
final class OverlapExecutor implements BatchExecutor {
    /** A batch back from an inference thread: its result or the error it threw. */
    private record Finished(
            long ticket,
            List<Pending> batch,
            BatchListener.Trigger trigger,
            long queueNanos,
            BatchResult result,
            Throwable error) {}

    private final EnrichmentEngine engine;
    private final PendingQueue queue;
    private final Breaker breaker;
    private final Lanes lanes;
    private final Executor threads;
    /** Filled by the inference threads, emptied by the stream thread: all they share besides the lanes. */
    private final LinkedBlockingQueue<Finished> finished = new LinkedBlockingQueue<>();

    private long nextTicket;
    private long delivered;

    /** Full batches in the queue from which a callback waits for a lane (bounded) rather than leave them queued. */
    static final int BACKLOG_BATCHES = 4;

    /**
     * An idle device splits a batch over its lanes only where each lane gets at least this many sequences. A smaller
     * share does not pay for the split: every lane makes its own small session calls, the batch waits for the slowest,
     * and the lanes it holds are not there for the next batch. Measured on the mixed bench at half load (2 lanes,
     * MAX_WAIT batches of about 6 records; {@code bench --quick --scenario mixed --texts 2000}, three runs each against
     * splitting every batch): lanes busy 59-62 % instead of 68-69 %, short records' p99 289/386/385 ms against
     * 472/375/478 ms, saturation and {@code eval} unchanged within noise (docs/PERFORMANCE.md, item 6).
     */
    static final int MIN_SEQUENCES_PER_LANE = 8;

    private final BatchPolicy policy;
    private final int minSequencesPerLane;
    private final long budgetNanos;
    /** This callback has waited for a lane already: it waits no more. */
    private boolean waited;

    /** @param minSequencesPerLane see {@link #MIN_SEQUENCES_PER_LANE}; 1 gives a batch up to a lane per sequence */
    OverlapExecutor(
            EnrichmentEngine engine,
            PendingQueue queue,
            Breaker breaker,
            Lanes lanes,
            Executor threads,
            BatchPolicy policy,
            int minSequencesPerLane) {
        if (minSequencesPerLane < 1) {
            throw new IllegalArgumentException("at least one sequence per lane: " + minSequencesPerLane);
        }
        this.minSequencesPerLane = minSequencesPerLane;
        this.engine = engine;
        this.queue = queue;
        this.breaker = breaker;
        this.lanes = lanes;
        this.threads = threads;
        this.policy = policy;
        this.budgetNanos = policy.budget().toNanos();
    }

    @Override
    public void callbackStarted() {
        waited = false;
    }

    /** The queue holds {@value #BACKLOG_BATCHES} full batches: this callback may wait (once, bounded) for a lane. */
    private boolean mayWait() {
        return !waited
                && (queue.size() >= (long) BACKLOG_BATCHES * policy.maxRecords()
                        || queue.tokens() >= (long) BACKLOG_BATCHES * policy.maxTokens());
    }

    @Override
    public int inFlight() {
        return (int) (nextTicket - delivered);
    }

    @Override
    public boolean canFlush(BatchListener.Trigger trigger) {
        collect();
        return lanes.free() > 0 || mayWait();
    }

    /**
     * The device is saturated: a batch is still running (or a full one is ready behind this one). Batches then take
     * one lane each and run side by side, which on a CPU beats splitting every batch over all lanes (no barrier, no
     * uneven halves); an otherwise idle device splits a batch worth it over its lanes ({@link #spread}).
     */
    private boolean backlog() {
        return inFlight() > 0 || queue.hasFullBatch();
    }

    /**
     * The lanes a batch is split over on an otherwise idle device: as many as give each at least
     * {@code minSequencesPerLane} sequences (a document counts its windows: its tokens over its longest window, at
     * least one), at least one and at most all; a batch of long documents leaves one lane to the short records.
     */
    static int spread(List<Pending> batch, int lanes, boolean longBatch, int minSequencesPerLane) {
        long sequences = 0;
        for (Pending p : batch) {
            int window = Math.max(1, p.doc().maxWindowLength());
            sequences += Math.max(1, (p.doc().tokenCount() + window - 1) / window);
        }
        int most = longBatch ? Math.max(1, lanes - 1) : lanes;
        return (int) Math.max(1, Math.min(most, sequences / minSequencesPerLane));
    }

    /**
     * Hands a batch to an inference thread on free lanes; with none free it waits (at most the budget, once per
     * callback) only behind a backlog of full batches, else the batch goes back to the queue.
     */
    @Override
    public boolean execute(List<Pending> batch, BatchListener.Trigger trigger) {
        boolean longBatch = PendingQueue.isLong(batch.get(0));
        int want = backlog() ? 1 : spread(batch, lanes.count(), longBatch, minSequencesPerLane);
        int[] got = lanes.tryAcquire(want);
        if (got == null) {
            queue.requeue(batch); // counted back for mayWait, and where it stays unless a lane frees in time
            if (!mayWait()) {
                return false;
            }
            waited = true;
            try {
                got = lanes.acquire(want, budgetNanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            queue.threadWasAway(System.nanoTime());
            if (got == null) {
                return false;
            }
            List<Pending> again = queue.take();
            if (!again.equals(batch)) { // the queue gave back what it took: the same records, in the same order
                throw new IllegalStateException("the queue's head changed while waiting for a lane");
            }
        }
        long queueNanos = System.nanoTime() - batch.get(0).enqueuedNanos();
        long ticket = nextTicket++;
        List<EncodedDocument> docs = Pending.documents(batch);
        int[] mine = got;
        try {
            threads.execute(() -> {
                try {
                    BatchResult result = null;
                    Throwable error = null;
                    try {
                        result = engine.infer(docs, mine);
                    } catch (RuntimeException | Error e) {
                        error = e; // judged on the stream thread, as a failure there would be
                    }
                    // before the lanes are free: a thread that was waiting for them finds this result already there
                    finished.add(new Finished(ticket, batch, trigger, queueNanos, result, error));
                } finally {
                    lanes.release(mine);
                }
            });
        } catch (RejectedExecutionException e) {
            lanes.release(mine);
            finished.add(new Finished(
                    ticket,
                    batch,
                    trigger,
                    queueNanos,
                    null,
                    new EngineFailureException("the inference threads are shut down", e)));
        }
        // Only now, holding no lane: isolating a failed batch runs on this thread and needs a lane of its own.
        collect();
        return true;
    }

    @Override
    public void collect() {
        for (Finished f = finished.poll(); f != null; f = finished.poll()) {
            deliver(f);
        }
    }

    private void deliver(Finished f) {
        delivered++;
        if (f.error() == null) {
            breaker.succeeded(f.batch(), f.result(), f.trigger(), f.queueNanos());
        } else {
            breaker.failed(f.batch(), f.trigger(), f.queueNanos(), f.error(), this::inferOnOneLane);
        }
    }

    @Override
    public boolean awaitInFlight(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        collect();
        while (inFlight() > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Finished f = finished.poll(left, TimeUnit.NANOSECONDS);
            if (f != null) {
                deliver(f);
                collect();
            }
        }
        return true;
    }

    /**
     * Isolating a failed batch, on the stream thread: one lane taken from the shared set (holding no other). This is
     * the one wait for a lane the budget does not bound: it is the failed batch's own retry, at most one batch's time.
     */
    private BatchResult inferOnOneLane(List<EncodedDocument> docs) {
        int[] one;
        try {
            one = lanes.acquire(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // not the records' fault: stop rather than dead-letter them (they stay in their stores)
            throw new EngineFailureException("interrupted waiting for an inference lane", e);
        }
        try {
            return engine.infer(docs, one);
        } finally {
            lanes.release(one);
        }
    }
}
