package io.streamnlp.batching;

import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.engine.EnrichmentEngine;
import io.streamnlp.api.event.Enrichment;
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
 * <p>Threading rules:
 * <ul>
 *   <li>Its one stream thread calls every method (through {@link CoordinatorRegistry#current()}); the queue, the
 *       mailboxes, the breaker and the overlap executor's tickets are that thread's alone, with no lock. Only the
 *       registry's gauges ({@link #pendingRecords()}, {@link #inFlight()}) read it from elsewhere, unlocked: a count
 *       that may be stale, nothing more.</li>
 *   <li>Without overlap, inference runs on the stream thread on every lane; with several stream threads the engine
 *       must serialise their calls, as {@link EnrichmentEngine#infer(List)} requires (the app wraps it in a
 *       {@link io.streamnlp.inference.SynchronizedEngine}).</li>
 *   <li>With overlap, an inference thread only runs {@link EnrichmentEngine#infer(List, int[])} on lanes the stream
 *       thread acquired for it, and hands back the result or the error (an {@link Error} too) through a
 *       {@code LinkedBlockingQueue} before it releases them. Batches of every coordinator of the engine run
 *       concurrently, never two on one lane: the {@link Lanes} (shared, synchronised) guard that.</li>
 *   <li>What came back is judged on the stream thread only (delivery, isolation, the breaker); isolating runs there on
 *       one lane, acquired only while the thread holds no other (with one lane, holding it would deadlock).</li>
 * </ul>
 */
public final class BatchCoordinator {
    /** A task's batch buffer, as the coordinator knows it. */
    public interface Owner {
        /**
         * The breaker is about to stop the stream thread on a batch that held these of the owner's records (their
         * sequence numbers as given to {@link #add}), which failed alone as well: they may be at fault rather than
         * the engine. Called on the stream thread before the stop is thrown; whatever it keeps must outlive the
         * thread (the transaction is aborted).
         */
        default void stopping(List<Long> seqs) {}
    }

    /** The outcome for one record: an enrichment, or the error that kept it from one. */
    public record Completed(long seq, Enrichment enrichment, String error) {}

    private final PendingQueue queue;
    private final Mailboxes mailboxes = new Mailboxes();
    private final BatchExecutor executor;

    /** Runs every batch on the calling (stream) thread. */
    public BatchCoordinator(EnrichmentEngine engine, BatchPolicy policy, BatchListener listener) {
        this(engine, policy, listener, null, null);
    }

    /**
     * @param lanes   the engine's lanes, shared by every coordinator of the engine; null to run batches on the
     *                stream thread
     * @param threads runs batches off the stream thread (needs as many threads as there are lanes)
     */
    public BatchCoordinator(
            EnrichmentEngine engine, BatchPolicy policy, BatchListener listener, Lanes lanes, Executor threads) {
        if ((lanes == null) != (threads == null)) {
            throw new IllegalArgumentException("lanes and executor go together");
        }
        this.queue = new PendingQueue(policy);
        Breaker breaker = new Breaker(listener, mailboxes);
        this.executor = lanes == null
                ? new InlineExecutor(engine, queue, breaker)
                : new OverlapExecutor(engine, queue, breaker, lanes, threads);
    }

    public void add(Owner owner, long seq, EncodedDocument doc, long nowNanos) {
        mailboxes.open(owner);
        queue.add(new Pending(owner, seq, doc, nowNanos));
    }

    public int pendingRecords() {
        return queue.size();
    }

    public long pendingTokens() {
        return queue.tokens();
    }

    /** Batches flushed and not yet delivered (running, or finished and waiting for the stream thread). */
    public int inFlight() {
        return executor.inFlight();
    }

    /** After an add: flush full batches (by records or token budget) while there are any. */
    public void flushIfFull() {
        for (BatchListener.Trigger t = queue.full(); t != null; t = queue.full()) {
            if (!flush(t)) {
                return; // interrupted waiting for a lane: the batch is back in the queue
            }
        }
    }

    /**
     * On a wall-clock tick: flush what has waited {@code maxWait}, and everything when no record
     * arrived for the policy's idle time (the stream is idle, so waiting longer would not fill the batch).
     */
    public void onTick(long nowNanos) {
        flushIfFull();
        boolean idle = queue.tick(nowNanos);
        for (BatchListener.Trigger t = queue.due(nowNanos, idle); t != null; t = queue.due(nowNanos, idle)) {
            if (!flush(t)) {
                return; // every lane busy: the batch keeps filling until one is free
            }
        }
    }

    /** Results for this owner's records, removed from its mailbox (finished batches are collected first). */
    public List<Completed> drain(Owner owner) {
        executor.collect();
        return mailboxes.drain(owner);
    }

    /** True when every result has been drained by its task (the batch is fully forwarded). */
    public boolean allDelivered() {
        return mailboxes.isEmpty();
    }

    /** A task is closing (revoked, or shutdown): forget its pending records and results; its store keeps them. */
    public void remove(Owner owner) {
        mailboxes.close(owner);
        queue.remove(owner);
    }

    /**
     * Waits (at most {@code timeoutMs}) until every flushed batch is back and delivered to the mailboxes;
     * false on timeout. For tests and shutdown; the stream thread otherwise never waits for a running batch.
     */
    public boolean awaitInFlight(long timeoutMs) throws InterruptedException {
        return executor.awaitInFlight(timeoutMs);
    }

    /** Takes the oldest records up to the policy's limits and runs them; false when nothing was flushed. */
    private boolean flush(BatchListener.Trigger trigger) {
        return executor.canFlush(trigger) && executor.execute(queue.take(), trigger);
    }
}
