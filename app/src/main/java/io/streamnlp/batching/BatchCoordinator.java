package io.streamnlp.batching;

import io.streamnlp.api.event.Enrichment;
import io.streamnlp.api.engine.BatchResult;
import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.engine.EngineFailureException;
import io.streamnlp.api.engine.EnrichmentEngine;
import io.streamnlp.inference.InferenceException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects the pending records of every task a stream thread owns, so batches fill across
 * partitions. Whichever task's {@code process()} or punctuation finds the policy met flushes a batch
 * for all of them; each task then forwards only its own results (Kafka Streams only lets a task
 * forward inside its own callbacks), from its mailbox, and deletes them from its own store. Results
 * not yet forwarded at a commit are still in that task's store, so a crash re-runs them: still
 * exactly-once. One coordinator per stream thread; not thread-safe by design.
 *
 * <p>With {@link Lanes} (overlap on), a flushed batch runs on an inference thread on free lanes while the
 * stream thread goes on polling, buffering and committing: with a backlog (a batch still running, or a full
 * one waiting) each batch takes one lane, so several batches run side by side (one single-threaded session per core is ONNX Runtime's fastest CPU
 * setup); with none it takes every free lane (its buckets are split over them: lowest latency). A full
 * batch waits for a lane (back-pressure); a timed flush (max.wait, idle) waits for a free lane without
 * blocking, so a busy device lets batches grow. Results are delivered in flush order, so a partition's
 * records are emitted in their input order.
 */
public final class BatchCoordinator {
    private static final Logger log = LoggerFactory.getLogger(BatchCoordinator.class);

    /** A task's batch buffer, as the coordinator knows it. */
    public interface Owner {}

    /** The outcome for one record: an enrichment, or the error that kept it from one. */
    public record Completed(long seq, Enrichment enrichment, String error) {}

    private record Pending(Owner owner, long seq, EncodedDocument doc, long enqueuedNanos) {}

    /** A batch back from an inference thread: its result or the error it threw. */
    private record Finished(long ticket, List<Pending> batch, BatchListener.Trigger trigger, long queueNanos,
                            BatchResult result, Throwable error) {}

    private final EnrichmentEngine engine;
    private final BatchPolicy policy;
    private final BatchListener listener;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final Map<Owner, List<Completed>> mailboxes = new IdentityHashMap<>();
    /** Owners whose results are still wanted: a task closed while its batch ran gets nothing delivered. */
    private final Set<Owner> active = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    /** Null: batches run on the stream thread (every lane). */
    private final Lanes lanes;
    private final java.util.concurrent.Executor executor;
    private final java.util.concurrent.LinkedBlockingQueue<Finished> finished = new java.util.concurrent.LinkedBlockingQueue<>();
    private final java.util.TreeMap<Long, Finished> ready = new java.util.TreeMap<>();
    private long nextTicket;
    private long nextDelivery;
    private long pendingTokens;
    private long lastAddNanos;
    /** Last add or tick: a longer gap means the thread was away (commit, poll, rebalance), not the stream idle. */
    private long lastActivityNanos;

    /** Runs every batch on the calling (stream) thread. */
    public BatchCoordinator(EnrichmentEngine engine, BatchPolicy policy, BatchListener listener) {
        this(engine, policy, listener, null, null);
    }

    /**
     * @param lanes    the engine's lanes, shared by every coordinator of the engine; null to run batches on the
     *                 stream thread
     * @param executor runs batches off the stream thread (needs as many threads as there are lanes)
     */
    public BatchCoordinator(EnrichmentEngine engine, BatchPolicy policy, BatchListener listener, Lanes lanes,
                            java.util.concurrent.Executor executor) {
        if ((lanes == null) != (executor == null)) {
            throw new IllegalArgumentException("lanes and executor go together");
        }
        this.engine = engine;
        this.policy = policy;
        this.listener = listener;
        this.lanes = lanes;
        this.executor = executor;
    }

    public void add(Owner owner, long seq, EncodedDocument doc, long nowNanos) {
        active.add(owner);
        pending.addLast(new Pending(owner, seq, doc, nowNanos));
        pendingTokens += doc.tokenCount();
        lastAddNanos = nowNanos;
        lastActivityNanos = nowNanos;
    }

    public int pendingRecords() {
        return pending.size();
    }

    public long pendingTokens() {
        return pendingTokens;
    }

    /** Batches flushed and not yet delivered (running, or finished and waiting for the stream thread). */
    public int inFlight() {
        return (int) (nextTicket - nextDelivery);
    }

    /** After an add: flush full batches (by records or token budget) while there are any. */
    public void flushIfFull() {
        while (!pending.isEmpty()) {
            boolean flushed;
            if (pending.size() >= policy.maxRecords()) {
                flushed = flushOne(BatchListener.Trigger.RECORDS);
            } else if (pendingTokens >= policy.maxTokens()) {
                flushed = flushOne(BatchListener.Trigger.TOKENS);
            } else {
                return;
            }
            if (!flushed) {
                return; // interrupted waiting for a lane: the batch is back in the queue
            }
        }
    }

    /**
     * The device is saturated: a batch is still running (or a full one is ready behind this one). Batches then take
     * one lane each and run side by side, which on a CPU beats splitting every batch over all lanes (no barrier, no
     * uneven halves); an otherwise idle device gets the whole batch spread over its lanes (lowest latency).
     */
    private boolean backlog() {
        return inFlight() > 0 || pending.size() >= policy.maxRecords() || pendingTokens >= policy.maxTokens();
    }

    /**
     * On a wall-clock tick: flush what has waited {@code maxWait}, and everything when no record
     * arrived for the policy's idle time (the stream is idle, so waiting longer would not fill the batch).
     */
    public void onTick(long nowNanos) {
        flushIfFull();
        if (!policy.idle().isZero() && nowNanos - lastActivityNanos >= policy.idle().toNanos()) {
            // The thread was away longer than the idle time (an exactly-once commit, a poll): no record could arrive,
            // so this is no sign of an idle stream. The idle window starts again (max.wait still bounds the wait).
            lastAddNanos = Math.max(lastAddNanos, nowNanos);
        }
        lastActivityNanos = nowNanos;
        // Flush at the last tick before the deadline rather than the first one after it.
        long waitNanos = Math.max(0, policy.maxWait().toNanos() - policy.tick().toNanos());
        boolean idle = !policy.idle().isZero() && nowNanos - lastAddNanos >= policy.idle().toNanos();
        while (!pending.isEmpty()) {
            boolean flushed;
            if (nowNanos - pending.peekFirst().enqueuedNanos() >= waitNanos) {
                flushed = flushOne(BatchListener.Trigger.MAX_WAIT);
            } else if (idle) {
                flushed = flushOne(BatchListener.Trigger.IDLE);
            } else {
                return;
            }
            if (!flushed) {
                return; // every lane busy: the batch keeps filling until one is free
            }
        }
    }

    /** Results for this owner's records, removed from its mailbox (finished batches are collected first). */
    public List<Completed> drain(Owner owner) {
        harvest();
        List<Completed> done = mailboxes.remove(owner);
        return done == null ? List.of() : done;
    }

    /** True when every result has been drained by its task (the batch is fully forwarded). */
    public boolean allDelivered() {
        return mailboxes.isEmpty();
    }

    /** A task is closing (revoked, or shutdown): forget its pending records and results; its store keeps them. */
    public void remove(Owner owner) {
        active.remove(owner);
        mailboxes.remove(owner);
        Iterator<Pending> it = pending.iterator();
        while (it.hasNext()) {
            Pending p = it.next();
            if (p.owner() == owner) {
                pendingTokens -= p.doc().tokenCount();
                it.remove();
            }
        }
    }

    /**
     * Waits (at most {@code timeoutMs}) until every flushed batch is back and delivered to the mailboxes;
     * false on timeout. For tests and shutdown; the stream thread otherwise never waits for a running batch.
     */
    public boolean awaitInFlight(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        harvest();
        while (inFlight() > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Finished f = finished.poll(left, java.util.concurrent.TimeUnit.NANOSECONDS);
            if (f != null) {
                ready.put(f.ticket(), f);
                harvest();
            }
        }
        return true;
    }

    /** Collects batches back from the inference threads and delivers them in flush order. */
    private void harvest() {
        if (lanes == null) {
            return;
        }
        for (Finished f = finished.poll(); f != null; f = finished.poll()) {
            ready.put(f.ticket(), f);
        }
        for (Finished f = ready.remove(nextDelivery); f != null; f = ready.remove(nextDelivery)) {
            nextDelivery++;
            if (f.error() == null) {
                deliverAll(f.batch(), f.result(), f.trigger(), f.queueNanos());
            } else {
                if (EngineFailureException.isEngineLevel(f.error())) {
                    throw engineFailed(f.batch().size(), f.error());
                }
                listener.onInferenceFailure(f.batch().size(), asRuntime(f.error()));
                isolate(f.batch(), f.trigger(), f.queueNanos(), f.error());
            }
        }
    }

    /**
     * Takes the oldest records up to the policy's limits (at least one) and runs them, or hands them to an
     * inference thread. False when nothing was flushed: a timed flush found every lane busy.
     */
    private boolean flushOne(BatchListener.Trigger trigger) {
        if (lanes != null) {
            harvest();
            boolean full = trigger == BatchListener.Trigger.RECORDS || trigger == BatchListener.Trigger.TOKENS;
            if (!full && lanes.free() == 0) {
                return false;
            }
        }
        List<Pending> batch = new ArrayList<>();
        long tokens = 0;
        while (!pending.isEmpty() && batch.size() < policy.maxRecords()) {
            Pending next = pending.peekFirst();
            if (!batch.isEmpty() && tokens + next.doc().tokenCount() > policy.maxTokens()) {
                break;
            }
            pending.pollFirst();
            tokens += next.doc().tokenCount();
            batch.add(next);
        }
        pendingTokens -= tokens;
        if (lanes != null) {
            return submit(batch, trigger);
        }
        long queueNanos = System.nanoTime() - batch.get(0).enqueuedNanos();
        runIsolating(batch, trigger, queueNanos);
        threadWasAway();
        return true;
    }

    /**
     * No record could arrive while this thread was busy (inference on it, or waiting for a lane): the idle clock
     * restarts now, so the next tick does not take that time for an idle stream and flush a tiny batch.
     */
    private void threadWasAway() {
        lastAddNanos = Math.max(lastAddNanos, System.nanoTime());
        lastActivityNanos = Math.max(lastActivityNanos, lastAddNanos);
    }

    /** Hands a batch to an inference thread on free lanes, waiting for one if none is free. */
    private boolean submit(List<Pending> batch, BatchListener.Trigger trigger) {
        int want = backlog() ? 1 : lanes.count();
        int[] got = lanes.tryAcquire(want);
        if (got == null) {
            try {
                got = lanes.acquire(want);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                requeue(batch);
                return false;
            }
            threadWasAway();
        }
        long queueNanos = System.nanoTime() - batch.get(0).enqueuedNanos();
        long ticket = nextTicket++;
        List<EncodedDocument> docs = documents(batch);
        int[] mine = got;
        try {
            executor.execute(() -> {
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
        } catch (java.util.concurrent.RejectedExecutionException e) {
            lanes.release(mine);
            finished.add(new Finished(ticket, batch, trigger, queueNanos, null,
                    new EngineFailureException("the inference threads are shut down", e)));
        }
        // Only now, holding no lane: isolating a failed batch runs on this thread and needs a lane of its own.
        harvest();
        return true;
    }

    /** Puts a batch back at the head of the queue, in its order. */
    private void requeue(List<Pending> batch) {
        for (int i = batch.size() - 1; i >= 0; i--) {
            pending.addFirst(batch.get(i));
            pendingTokens += batch.get(i).doc().tokenCount();
        }
    }

    private static List<EncodedDocument> documents(List<Pending> batch) {
        List<EncodedDocument> docs = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            docs.add(p.doc());
        }
        return docs;
    }

    /** Inference on the calling thread: every lane without overlap, else one lane taken from the shared set. */
    private BatchResult inferHere(List<EncodedDocument> docs) {
        if (lanes == null) {
            return engine.infer(docs);
        }
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

    /** What isolating one failed batch found: records that failed alone, and how many parts succeeded. */
    private static final class Isolation {
        final List<Pending> failed = new ArrayList<>();
        final List<String> errors = new ArrayList<>();
        int succeeded;
    }

    /**
     * A batch that threw: split in halves until the records that make it throw are alone, so they (and only they)
     * are reported failed. A breaker keeps an engine failure from dead-lettering good records: an error that names
     * the engine (closed, device error, out of memory) stops at once; so does an isolation in which every part
     * failed (two or more records, none enriched), and the same error failing {@value #SAME_ERROR_LIMIT} records in
     * a row with no success between them. Stopping throws {@link EngineFailureException}: the stream thread dies,
     * its transaction is aborted, nothing is dead-lettered and a restart or another instance retries.
     */
    private void isolate(List<Pending> batch, BatchListener.Trigger trigger, long queueNanos, Throwable e) {
        if (EngineFailureException.isEngineLevel(e)) {
            throw engineFailed(batch.size(), e);
        }
        Isolation iso = new Isolation();
        failed(batch, e, trigger, queueNanos, iso);
        if (iso.succeeded == 0 && iso.failed.size() >= 2) {
            throw new EngineFailureException("every part of a batch of " + batch.size() + " records failed ("
                    + iso.errors.get(0) + "): the engine, not the records; stopping without committing", e);
        }
        for (int i = 0; i < iso.failed.size(); i++) {
            String error = iso.errors.get(i);
            sameErrorRun = error.equals(lastError) ? sameErrorRun + 1 : 1;
            lastError = error;
            if (sameErrorRun >= SAME_ERROR_LIMIT) {
                throw new EngineFailureException(sameErrorRun + " records in a row failed with the same error (" + error
                        + "): the engine, not the records; stopping without committing", e);
            }
        }
        for (int i = 0; i < iso.failed.size(); i++) {
            Pending p = iso.failed.get(i);
            log.warn("inference failed for one record; it goes to the dead-letter topic: {}", iso.errors.get(i));
            deliver(p, new Completed(p.seq(), null, iso.errors.get(i)));
        }
    }

    /** Consecutive failed records with one error message (reset by any success) and that message. */
    private static final int SAME_ERROR_LIMIT = 3;
    private int sameErrorRun;
    private String lastError;

    private void bisect(List<Pending> part, BatchListener.Trigger trigger, long queueNanos, Isolation iso) {
        BatchResult result;
        try {
            result = inferHere(documents(part));
        } catch (RuntimeException | Error e) {
            if (EngineFailureException.isEngineLevel(e)) {
                throw engineFailed(part.size(), e);
            }
            listener.onInferenceFailure(part.size(), asRuntime(e));
            failed(part, e, trigger, queueNanos, iso);
            return;
        }
        iso.succeeded += part.size();
        deliverAll(part, result, trigger, queueNanos);
    }

    /** A part that threw: a single record is a failed leaf, a bigger part is run again in halves. */
    private void failed(List<Pending> part, Throwable e, BatchListener.Trigger trigger, long queueNanos, Isolation iso) {
        if (part.size() == 1) {
            iso.failed.add(part.get(0));
            iso.errors.add(describe(e));
            return;
        }
        int half = part.size() / 2;
        bisect(new ArrayList<>(part.subList(0, half)), trigger, queueNanos, iso);
        bisect(new ArrayList<>(part.subList(half, part.size())), trigger, queueNanos, iso);
    }

    /**
     * Runs a batch on this thread; when the engine throws (an exception or an {@link Error}, handled as on the
     * inference threads), isolates the records that make it throw.
     */
    private void runIsolating(List<Pending> batch, BatchListener.Trigger trigger, long queueNanos) {
        BatchResult result;
        try {
            result = inferHere(documents(batch));
        } catch (RuntimeException | Error e) {
            if (EngineFailureException.isEngineLevel(e)) {
                throw engineFailed(batch.size(), e);
            }
            listener.onInferenceFailure(batch.size(), asRuntime(e));
            isolate(batch, trigger, queueNanos, e);
            return;
        }
        deliverAll(batch, result, trigger, queueNanos);
    }

    private static EngineFailureException engineFailed(int records, Throwable e) {
        return e instanceof EngineFailureException efe ? efe
                : new EngineFailureException("inference failed on a batch of " + records + " records with an engine error ("
                        + describe(e) + "): stopping without committing", e);
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static RuntimeException asRuntime(Throwable e) {
        return e instanceof RuntimeException re ? re : new InferenceException(e.toString(), e);
    }

    private void deliverAll(List<Pending> batch, BatchResult result, BatchListener.Trigger trigger, long queueNanos) {
        sameErrorRun = 0;
        Set<Owner> owners = new HashSet<>();
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            owners.add(p.owner());
            deliver(p, new Completed(p.seq(), result.results().get(i), null));
        }
        listener.onBatch(result.stats(), owners.size(), trigger, queueNanos);
    }

    private void deliver(Pending p, Completed c) {
        if (!active.contains(p.owner())) {
            return; // its task closed while the batch ran: the store keeps the record for the next owner
        }
        mailboxes.computeIfAbsent(p.owner(), o -> new ArrayList<>()).add(c);
    }
}
