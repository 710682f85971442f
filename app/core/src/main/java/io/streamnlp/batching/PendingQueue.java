package io.streamnlp.batching;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A coordinator's pending records, oldest first, and when they make a batch: full (by records or by the token
 * budget) after an add, or due on a wall-clock tick (the oldest has waited max.wait, or the stream is idle). Pure:
 * the caller passes the clock and decides what a flush does; no threads, no engine.
 *
 * <p>Long and short records (see {@link #isLong}) are batched apart. While long batches may not take a lane (short
 * records are around and long batches already hold all lanes but one, see {@link Lanes#longRoom}), the caller asks
 * with {@code longOk} false: the queue then answers for its short records alone (full, due and taken as if the long
 * ones were not there), so a short batch goes past the long ones blocked at its head.
 */
final class PendingQueue {
    private final BatchPolicy policy;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private long tokens;
    /** The short records among them, and their tokens. */
    private int shortCount;

    private long shortTokens;
    /** When the last short record arrived; meaningful once one has. */
    private long lastShortNanos;

    private boolean sawShort;
    private long lastAddNanos;
    /** Last add or tick: a longer gap means the thread was away (commit, poll, rebalance), not the stream idle. */
    private long lastActivityNanos;

    PendingQueue(BatchPolicy policy) {
        this.policy = policy;
    }

    void add(Pending p) {
        pending.addLast(p);
        counted(p, 1);
        lastAddNanos = p.enqueuedNanos();
        lastActivityNanos = p.enqueuedNanos();
        if (!isLong(p)) {
            lastShortNanos = p.enqueuedNanos();
            sawShort = true;
        }
    }

    /** Adds ({@code sign} 1) or removes (-1) a record from the counts. */
    private void counted(Pending p, int sign) {
        int t = p.doc().tokenCount();
        tokens += (long) sign * t;
        if (!isLong(p)) {
            shortCount += sign;
            shortTokens += (long) sign * t;
        }
    }

    int size() {
        return pending.size();
    }

    long tokens() {
        return tokens;
    }

    /** Short records waiting. */
    int shortCount() {
        return shortCount;
    }

    /** True once a short record has arrived: then {@link #lastShortNanos()} says when the last one did. */
    boolean sawShort() {
        return sawShort;
    }

    long lastShortNanos() {
        return lastShortNanos;
    }

    /** The caller's clock as of its last add or tick. */
    long nowNanos() {
        return lastActivityNanos;
    }

    /** Why the queue holds a full batch now (by records first, then by tokens), or null when it does not. */
    BatchListener.Trigger full() {
        return full(true);
    }

    /** Like {@link #full()}; with {@code longOk} false, for the short records alone. */
    BatchListener.Trigger full(boolean longOk) {
        int records = longOk ? pending.size() : shortCount;
        long toks = longOk ? tokens : shortTokens;
        if (records == 0) {
            return null;
        }
        if (records >= policy.maxRecords()) {
            return BatchListener.Trigger.RECORDS;
        }
        if (toks >= policy.maxTokens()) {
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
        return due(nowNanos, idle, true);
    }

    /** Like {@link #due(long, boolean)}; with {@code longOk} false, for the short records alone. */
    BatchListener.Trigger due(long nowNanos, boolean idle, boolean longOk) {
        Pending oldest = longOk ? pending.peekFirst() : oldestShort();
        if (oldest == null) {
            return null;
        }
        // Flush at the last tick before the deadline rather than the first one after it.
        long waitNanos = Math.max(0, policy.maxWait().toNanos() - policy.tick().toNanos());
        if (nowNanos - oldest.enqueuedNanos() >= waitNanos) {
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

    private Pending oldestShort() {
        if (shortCount == 0) {
            return null;
        }
        for (Pending p : pending) {
            if (!isLong(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * Takes the oldest record and, after it, the oldest records of its kind (long or short) up to the policy's limits:
     * at least one (a record over the token budget goes alone). Records of the other kind keep their place for the
     * next batch; the order of a key's events is kept by its task, whatever order batches run in.
     */
    List<Pending> take() {
        return take(true);
    }

    /**
     * Like {@link #take()}; with {@code longOk} false, the oldest short records only (past the long ones at the head,
     * which keep their place); empty when there are none.
     */
    List<Pending> take(boolean longOk) {
        List<Pending> batch = new ArrayList<>();
        if (pending.isEmpty() || (!longOk && shortCount == 0)) {
            return batch;
        }
        boolean longKind = longOk && isLong(pending.peekFirst());
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
            counted(next, -1);
            batch.add(next);
        }
        return batch;
    }

    /** Puts a batch back at the head of the queue, in its order. */
    void requeue(List<Pending> batch) {
        for (int i = batch.size() - 1; i >= 0; i--) {
            pending.addFirst(batch.get(i));
            counted(batch.get(i), 1);
        }
    }

    /** Forgets an owner's records (its task closed; its store keeps them). */
    void remove(Owner owner) {
        Iterator<Pending> it = pending.iterator();
        while (it.hasNext()) {
            Pending p = it.next();
            if (p.owner() == owner) {
                counted(p, -1);
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
