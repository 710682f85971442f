package io.streamnlp.topology;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A task's records from arrival until they are forwarded, in the order their events may leave: a record leaves once it
 * is complete and no earlier record of its output key is still waiting. Order holds per key (what a consumer of a key
 * sees), not per partition, so a short record does not wait behind a long document of another key.
 *
 * <p>The rules this class keeps, whatever the order records complete in:
 * <ul>
 *   <li>every record added leaves {@link #takeReady()} exactly once, as the immutable {@link Entry} it was added as:
 *       the sequence number the caller deletes from its store is the one of the record it forwards;</li>
 *   <li>a key's records leave in the order they were added;</li>
 *   <li>a complete record leaves at the first {@link #takeReady()} after the last earlier record of its key left.</li>
 * </ul>
 * One stream thread uses it; no locking.
 *
 * @param <T> what the caller keeps for a record
 */
final class ForwardQueue<T> {
    /** A record leaving the queue: its sequence number (its buffer store key) and what the caller kept for it. */
    record Entry<T>(long seq, T value) {}

    private static final class Node<T> {
        final Entry<T> entry;
        final Object key;
        boolean complete;

        Node(Entry<T> entry, Object key) {
            this.entry = entry;
            this.key = key;
        }
    }

    /** Every record waiting, by sequence number. */
    private final TreeMap<Long, Node<T>> bySeq = new TreeMap<>();
    /** Each key's waiting records in arrival order: only a head may leave. */
    private final Map<Object, ArrayDeque<Node<T>>> byKey = new HashMap<>();
    /** Heads of their key that are complete: what {@link #takeReady()} returns next. */
    private final TreeSet<Long> ready = new TreeSet<>();

    /**
     * Adds a record behind every record added before it.
     *
     * @param seq greater than every sequence number added before (since the last {@link #clear()})
     * @param key its output key, compared with {@code equals} (e.g. a {@link java.nio.ByteBuffer} of the bytes)
     */
    void add(long seq, Object key, T value) {
        if (!bySeq.isEmpty() && seq <= bySeq.lastKey()) {
            throw new IllegalArgumentException("sequence " + seq + " after " + bySeq.lastKey());
        }
        Node<T> n = new Node<>(new Entry<>(seq, value), key);
        bySeq.put(seq, n);
        byKey.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(n);
    }

    /** The record's outcome (events or a dead letter) is final: it may leave once its key's earlier records have. */
    void complete(long seq) {
        Node<T> n = bySeq.get(seq);
        if (n == null || n.complete) {
            return;
        }
        n.complete = true;
        if (byKey.get(n.key).peekFirst() == n) {
            ready.add(seq);
        }
    }

    /** Removes and returns the records that may leave now, in sequence order; the caller forwards them in this order. */
    List<Entry<T>> takeReady() {
        if (ready.isEmpty()) {
            return List.of();
        }
        List<Entry<T>> out = new ArrayList<>();
        for (Long seq = ready.pollFirst(); seq != null; seq = ready.pollFirst()) {
            Node<T> n = bySeq.remove(seq);
            ArrayDeque<Node<T>> q = byKey.get(n.key);
            q.removeFirst();
            if (q.isEmpty()) {
                byKey.remove(n.key);
            } else if (q.peekFirst().complete) {
                ready.add(q.peekFirst().entry.seq());
            }
            out.add(n.entry);
        }
        return out;
    }

    /** What the caller kept for a waiting record, or null when it is not (or no longer) waiting. */
    T get(long seq) {
        Node<T> n = bySeq.get(seq);
        return n == null ? null : n.entry.value();
    }

    int size() {
        return bySeq.size();
    }

    boolean isEmpty() {
        return bySeq.isEmpty();
    }

    void clear() {
        bySeq.clear();
        byKey.clear();
        ready.clear();
    }
}
