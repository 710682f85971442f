package io.streamnlp.batching;

import io.streamnlp.api.Enrichment;
import io.streamnlp.inference.BatchResult;
import io.streamnlp.inference.EncodedDocument;
import io.streamnlp.inference.EnrichmentEngine;
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
 * partitions. Whichever task's {@code process()} or punctuation finds the policy met runs inference
 * for all of them; each task then forwards only its own results (Kafka Streams only lets a task
 * forward inside its own callbacks), from its mailbox, and deletes them from its own store. Results
 * not yet forwarded at a commit are still in that task's store, so a crash re-runs them: still
 * exactly-once. One coordinator per stream thread; not thread-safe by design.
 */
public final class BatchCoordinator {
    private static final Logger log = LoggerFactory.getLogger(BatchCoordinator.class);

    /** A task's batch buffer, as the coordinator knows it. */
    public interface Owner {}

    /** The outcome for one record: an enrichment, or the error that kept it from one. */
    public record Completed(long seq, Enrichment enrichment, String error) {}

    private record Pending(Owner owner, long seq, EncodedDocument doc, long enqueuedNanos) {}

    private final EnrichmentEngine engine;
    private final BatchPolicy policy;
    private final BatchListener listener;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final Map<Owner, List<Completed>> mailboxes = new IdentityHashMap<>();
    private long pendingTokens;
    private long lastAddNanos;
    /** Last add or tick: a longer gap means the thread was away (commit, poll, rebalance), not the stream idle. */
    private long lastActivityNanos;

    public BatchCoordinator(EnrichmentEngine engine, BatchPolicy policy, BatchListener listener) {
        this.engine = engine;
        this.policy = policy;
        this.listener = listener;
    }

    public void add(Owner owner, long seq, EncodedDocument doc, long nowNanos) {
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

    /** After an add: flush full batches (by records or token budget) while there are any. */
    public void flushIfFull() {
        while (!pending.isEmpty()) {
            if (pending.size() >= policy.maxRecords()) {
                flushOne(BatchListener.Trigger.RECORDS);
            } else if (pendingTokens >= policy.maxTokens()) {
                flushOne(BatchListener.Trigger.TOKENS);
            } else {
                return;
            }
        }
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
            if (nowNanos - pending.peekFirst().enqueuedNanos() >= waitNanos) {
                flushOne(BatchListener.Trigger.MAX_WAIT);
            } else if (idle) {
                flushOne(BatchListener.Trigger.IDLE);
            } else {
                return;
            }
        }
    }

    /** Results for this owner's records, removed from its mailbox. */
    public List<Completed> drain(Owner owner) {
        List<Completed> done = mailboxes.remove(owner);
        return done == null ? List.of() : done;
    }

    /** True when every result has been drained by its task (the batch is fully forwarded). */
    public boolean allDelivered() {
        return mailboxes.isEmpty();
    }

    /** A task is closing (revoked, or shutdown): forget its pending records and results; its store keeps them. */
    public void remove(Owner owner) {
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

    /** Takes the oldest records up to the policy's limits (at least one) and runs them. */
    private void flushOne(BatchListener.Trigger trigger) {
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
        long queueNanos = System.nanoTime() - batch.get(0).enqueuedNanos();
        runIsolating(batch, trigger, queueNanos);
        // No record could arrive while inference ran on this thread: the idle clock restarts now, so the next
        // tick does not take the inference time for an idle stream and flush a tiny batch.
        lastAddNanos = Math.max(lastAddNanos, System.nanoTime());
        lastActivityNanos = Math.max(lastActivityNanos, lastAddNanos);
    }

    /**
     * Runs a batch; when the engine throws, splits it in halves until the records that make it throw
     * are alone, so they (and only they) are reported as failed.
     */
    private void runIsolating(List<Pending> batch, BatchListener.Trigger trigger, long queueNanos) {
        List<EncodedDocument> docs = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            docs.add(p.doc());
        }
        BatchResult result;
        try {
            result = engine.infer(docs);
        } catch (RuntimeException e) {
            listener.onInferenceFailure(batch.size(), e);
            if (batch.size() == 1) {
                Pending p = batch.get(0);
                log.warn("inference failed for one record; it goes to the dead-letter topic: {}", e.toString());
                deliver(p, new Completed(p.seq(), null, e.getClass().getSimpleName() + ": " + e.getMessage()));
                return;
            }
            int half = batch.size() / 2;
            runIsolating(new ArrayList<>(batch.subList(0, half)), trigger, queueNanos);
            runIsolating(new ArrayList<>(batch.subList(half, batch.size())), trigger, queueNanos);
            return;
        }
        Set<Owner> owners = new HashSet<>();
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            owners.add(p.owner());
            deliver(p, new Completed(p.seq(), result.results().get(i), null));
        }
        listener.onBatch(result.stats(), owners.size(), trigger, queueNanos);
    }

    private void deliver(Pending p, Completed c) {
        mailboxes.computeIfAbsent(p.owner(), o -> new ArrayList<>()).add(c);
    }
}
