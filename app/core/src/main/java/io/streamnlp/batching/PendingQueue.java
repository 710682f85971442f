package io.streamnlp.batching;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A coordinator's pending records, oldest first, and when they make a batch: full (by records or by the token
 * budget) after an add, or due on a wall-clock tick (the oldest has waited max.wait, or the stream is idle). Pure:
 * the caller passes the clock and decides what a flush does; no threads, no engine.
 */
final class PendingQueue {
    private final BatchPolicy policy;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private long tokens;
    private long lastAddNanos;
    /** Last add or tick: a longer gap means the thread was away (commit, poll, rebalance), not the stream idle. */
    private long lastActivityNanos;

    PendingQueue(BatchPolicy policy) {
        this.policy = policy;
    }

    void add(Pending p) {
        pending.addLast(p);
        tokens += p.doc().tokenCount();
        lastAddNanos = p.enqueuedNanos();
        lastActivityNanos = p.enqueuedNanos();
    }

    int size() {
        return pending.size();
    }

    /** The policy's records per batch. */
    int maxRecords() {
        return policy.maxRecords();
    }

    long tokens() {
        return tokens;
    }

    /** Why the queue holds a full batch now (by records first, then by tokens), or null when it does not. */
    BatchListener.Trigger full() {
        if (pending.isEmpty()) {
            return null;
        }
        if (pending.size() >= policy.maxRecords()) {
            return BatchListener.Trigger.RECORDS;
        }
        if (tokens >= policy.maxTokens()) {
            return BatchListener.Trigger.TOKENS;
        }
        return null;
    }

    /** True when a full batch is waiting behind what was just taken: part of what makes a backlog. */
    boolean hasFullBatch() {
        return full() != null;
    }

    /**
     * A wall-clock tick at {@code nowNanos}; true when no record arrived for the policy's idle time (the stream is
     * idle, so waiting longer would not fill the batch). Pass the answer to {@link #due} for this tick's flushes.
     */
    boolean tick(long nowNanos) {
        boolean idleOn = !policy.idle().isZero();
        if (idleOn && nowNanos - lastActivityNanos >= policy.idle().toNanos()) {
            // The thread was away longer than the idle time (an exactly-once commit, a poll): no record could arrive,
            // so this is no sign of an idle stream. The idle window starts again (max.wait still bounds the wait).
            lastAddNanos = Math.max(lastAddNanos, nowNanos);
        }
        lastActivityNanos = nowNanos;
        return idleOn && nowNanos - lastAddNanos >= policy.idle().toNanos();
    }

    /** Why the oldest records are due at this tick (max.wait, else idle), or null when they may wait on. */
    BatchListener.Trigger due(long nowNanos, boolean idle) {
        if (pending.isEmpty()) {
            return null;
        }
        // Flush at the last tick before the deadline rather than the first one after it.
        long waitNanos = Math.max(0, policy.maxWait().toNanos() - policy.tick().toNanos());
        if (nowNanos - pending.peekFirst().enqueuedNanos() >= waitNanos) {
            return BatchListener.Trigger.MAX_WAIT;
        }
        return idle ? BatchListener.Trigger.IDLE : null;
    }

    /**
     * Records of more tokens than this are long (more than one window of the default bundle): they are batched apart
     * from short ones, so a short record's batch does not take as long as a long document's.
     */
    static final int LONG_TOKENS = 256;

    static boolean isLong(Pending p) {
        return p.doc().tokenCount() > LONG_TOKENS;
    }

    /**
     * Takes the oldest record and, after it, the oldest records of its kind (long or short) up to the policy's limits:
     * at least one (a record over the token budget goes alone). Records of the other kind keep their place for the
     * next batch; the order of a key's events is kept by its task, whatever order batches run in.
     */
    List<Pending> take() {
        List<Pending> batch = new ArrayList<>();
        if (pending.isEmpty()) {
            return batch;
        }
        boolean longKind = isLong(pending.peekFirst());
        long taken = 0;
        for (Iterator<Pending> it = pending.iterator(); it.hasNext() && batch.size() < policy.maxRecords(); ) {
            Pending next = it.next();
            if (isLong(next) != longKind) {
                continue;
            }
            if (!batch.isEmpty() && taken + next.doc().tokenCount() > policy.maxTokens()) {
                break;
            }
            it.remove();
            taken += next.doc().tokenCount();
            batch.add(next);
        }
        tokens -= taken;
        return batch;
    }

    /** Puts a batch back at the head of the queue, in its order. */
    void requeue(List<Pending> batch) {
        for (int i = batch.size() - 1; i >= 0; i--) {
            pending.addFirst(batch.get(i));
            tokens += batch.get(i).doc().tokenCount();
        }
    }

    /** Forgets an owner's records (its task closed; its store keeps them). */
    void remove(Owner owner) {
        Iterator<Pending> it = pending.iterator();
        while (it.hasNext()) {
            Pending p = it.next();
            if (p.owner() == owner) {
                tokens -= p.doc().tokenCount();
                it.remove();
            }
        }
    }

    /**
     * No record could arrive while the thread was busy (inference on it, or waiting for a lane): the idle clock
     * restarts at {@code nowNanos}, so the next tick does not take that time for an idle stream and flush a tiny batch.
     */
    void threadWasAway(long nowNanos) {
        lastAddNanos = Math.max(lastAddNanos, nowNanos);
        lastActivityNanos = Math.max(lastActivityNanos, lastAddNanos);
    }
}
