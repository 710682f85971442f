package io.streamnlp.batching;

import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.engine.EnrichmentEngine;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Collects the pending records of every task a stream thread owns, so batches fill across
 * partitions. Whichever task's {@code process()} or punctuation finds the policy met flushes a batch
 * for all of them; each task then forwards only its own results (Kafka Streams only lets a task
 * forward inside its own callbacks), from its mailbox, and deletes them from its own store. Results
 * not yet forwarded at a commit are still in that task's store, so a crash re-runs them: still
 * exactly-once. One coordinator per stream thread.
 *
 * <p>Its parts: the {@link PendingQueue} decides when records make a batch; a {@link BatchExecutor} runs it, on the
 * stream thread ({@link InlineExecutor}) or, with {@link Lanes} (overlap on), on inference threads while the stream
 * thread goes on ({@link OverlapExecutor}), chosen once here; the {@link Breaker} judges what came back (results,
 * isolating a poisoned record, or stopping for an engine failure) the same way for both.
 *
 * <p>Inference per callback is bounded by one batch's budget ({@link BatchPolicy#budget()}: the share of the
 * transaction timeout, or of max.poll.interval.ms, that the start-up check sizes {@code batch.max.tokens} to fit), so
 * that a callback cannot hold a transaction open for many batches and time it out:
 * <ul>
 *   <li>Without overlap, one {@link #flushIfFull()} or {@link #onTick(long)} call runs at most one batch (and, when it
 *       fails, that batch's isolation); further full or due batches stay queued for the next callback or tick.</li>
 *   <li>With overlap, a callback hands batches to the inference threads and does not wait for a lane: a batch with no
 *       free lane stays queued for a later callback or tick. Only when {@value OverlapExecutor#BACKLOG_BATCHES} full
 *       batches are queued (back-pressure: their documents are in memory) does a callback wait for a lane, once, for
 *       at most one budget.</li>
 *   <li>Either way the stream thread never waits for a lane longer than one budget within a callback (the lanes are
 *       the engine's, shared with every other coordinator and enricher of the engine, see {@link Lanes#of}).</li>
 * </ul>
 *
 * <p>Threading rules:
 * <ul>
 *   <li>Its one stream thread calls every method (through {@link CoordinatorRegistry#current()}); the queue, the
 *       mailboxes, the breaker and the executors' state are that thread's alone, with no lock. Other threads (the
 *       registry's gauges) read only {@link #pendingRecords()} and {@link #inFlight()}: volatile counts the stream
 *       thread publishes at the end of each call, never the thread's own structures.</li>
 *   <li>Without overlap, inference runs on the stream thread on every lane, taken from the engine's {@link Lanes}
 *       (several stream threads, or enrichers sharing the engine, take turns).</li>
 *   <li>With overlap, an inference thread only runs {@link EnrichmentEngine#infer(List, int[])} on lanes the stream
 *       thread acquired for it, and hands back the result or the error (an {@link Error} too) through a
 *       {@code LinkedBlockingQueue} before it releases them. Batches of every coordinator of the engine run
 *       concurrently, never two on one lane: the engine's {@link Lanes} (shared, synchronised) guard that.</li>
 *   <li>What came back is judged on the stream thread only (delivery, isolation, the breaker); isolating runs there on
 *       one lane, acquired only while the thread holds no other (with one lane, holding it would deadlock).</li>
 * </ul>
 */
public final class BatchCoordinator {
    private final PendingQueue queue;
    private final Mailboxes mailboxes = new Mailboxes();
    private final BatchExecutor executor;
    /** What the gauges read from other threads: published by the stream thread at the end of each call. */
    private volatile int publishedPending;

    private volatile int publishedInFlight;

    /** Runs every batch on the calling (stream) thread, on the engine's lanes. */
    public BatchCoordinator(EnrichmentEngine engine, BatchPolicy policy, BatchListener listener) {
        this(engine, policy, listener, null, null);
    }

    /**
     * @param lanes   the engine's lanes, shared by every coordinator of the engine ({@link Lanes#of}); null with a null
     *                executor to run batches on the stream thread (on the engine's lanes)
     * @param threads runs batches off the stream thread (needs as many threads as there are lanes)
     */
    public BatchCoordinator(
            EnrichmentEngine engine, BatchPolicy policy, BatchListener listener, Lanes lanes, Executor threads) {
        this(engine, policy, listener, lanes, threads, OverlapExecutor.MIN_SEQUENCES_PER_LANE);
    }

    /**
     * For tests that hold a batch on every lane: {@code minSequencesPerLane} 1 gives a batch a lane per sequence, so
     * that a two-record batch holds both (the default is {@link OverlapExecutor#MIN_SEQUENCES_PER_LANE}).
     */
    BatchCoordinator(
            EnrichmentEngine engine,
            BatchPolicy policy,
            BatchListener listener,
            Lanes lanes,
            Executor threads,
            int minSequencesPerLane) {
        if ((lanes == null) != (threads == null)) {
            throw new IllegalArgumentException("lanes and executor go together");
        }
        this.queue = new PendingQueue(policy);
        Breaker breaker = new Breaker(listener, mailboxes);
        this.executor = lanes == null
                ? new InlineExecutor(engine, queue, breaker, Lanes.of(engine), policy)
                : new OverlapExecutor(engine, queue, breaker, lanes, threads, policy, minSequencesPerLane);
    }

    /**
     * Queues a document for the next batch.
     *
     * @param ticket the owner's name for this document, unique among its documents in the coordinator: the result
     *     comes back under it ({@link Completed#ticket()})
     */
    public void add(Owner owner, long ticket, EncodedDocument doc, long nowNanos) {
        mailboxes.open(owner);
        queue.add(new Pending(owner, ticket, doc, nowNanos));
        publish();
    }

    /** Records waiting for a batch, as of the stream thread's last call: safe to read from any thread. */
    public int pendingRecords() {
        return publishedPending;
    }

    public long pendingTokens() {
        return queue.tokens();
    }

    /**
     * Batches flushed and not yet delivered (running, or finished and waiting for the stream thread), as of the stream
     * thread's last call: safe to read from any thread.
     */
    public int inFlight() {
        return publishedInFlight;
    }

    private void publish() {
        publishedPending = queue.size();
        publishedInFlight = executor.inFlight();
    }

    /**
     * After an add: flush full batches (by records or token budget), within this callback's bound (see the class
     * comment); the rest stay queued for the next callback or tick.
     */
    public void flushIfFull() {
        executor.callbackStarted();
        try {
            flushFull();
        } finally {
            publish();
        }
    }

    private void flushFull() {
        for (BatchListener.Trigger t = queue.full(); t != null; t = queue.full()) {
            if (!flush(t)) {
                return; // no lane within the bound, or this callback ran its batch: the batch is back in the queue
            }
        }
    }

    /**
     * On a wall-clock tick: flush what has waited {@code maxWait}, and everything when no record
     * arrived for the policy's idle time (the stream is idle, so waiting longer would not fill the batch); within
     * this callback's bound, like {@link #flushIfFull()}.
     */
    public void onTick(long nowNanos) {
        executor.callbackStarted();
        try {
            flushFull();
            boolean idle = queue.tick(nowNanos);
            for (BatchListener.Trigger t = queue.due(nowNanos, idle); t != null; t = queue.due(nowNanos, idle)) {
                if (!flush(t)) {
                    return; // every lane busy, or this callback ran its batch: the batch keeps filling until later
                }
            }
        } finally {
            publish();
        }
    }

    /** Results for this owner's records, removed from its mailbox (finished batches are collected first). */
    public List<Completed> drain(Owner owner) {
        executor.collect();
        publish();
        return mailboxes.drain(owner);
    }

    /** True when every result has been drained by its task (the batch is fully forwarded). */
    public boolean allDelivered() {
        return mailboxes.isEmpty();
    }

    /**
     * A full batch's worth of records (by count) is waiting: the stream is behind, and a commit after each batch would
     * only add transactions (their markers, offset commits and producer round trips cost the broker and the stream
     * thread about as much as the records themselves on sentence-sized input) without making any event visible sooner
     * than the queue lets it. Tasks then leave commits to {@code commit.interval.ms}. Counted in records, not tokens:
     * a few long documents waiting for a lane fill the token budget, and the short records finishing meanwhile should
     * not wait out the commit interval for them.
     */
    public boolean hasBacklog() {
        return queue.size() >= queue.maxRecords();
    }

    /** A task is closing (revoked, or shutdown): forget its pending records and results; its store keeps them. */
    public void remove(Owner owner) {
        mailboxes.close(owner);
        queue.remove(owner);
        publish();
    }

    /**
     * Waits (at most {@code timeoutMs}) until every flushed batch is back and delivered to the mailboxes;
     * false on timeout. For tests and shutdown; the stream thread otherwise never waits for a running batch.
     */
    public boolean awaitInFlight(long timeoutMs) throws InterruptedException {
        try {
            return executor.awaitInFlight(timeoutMs);
        } finally {
            publish();
        }
    }

    /** Takes the oldest records up to the policy's limits and runs them; false when nothing was flushed. */
    private boolean flush(BatchListener.Trigger trigger) {
        return executor.canFlush(trigger) && executor.execute(queue.take(), trigger);
    }
}
