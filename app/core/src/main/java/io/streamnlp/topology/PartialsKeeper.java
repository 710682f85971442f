package io.streamnlp.topology;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A task's partials store (the finished segments of its long documents, by the document's sequence number) and which
 * entries it holds, so that a delete is written only for an entry that exists and the gauge needs no store scan. An
 * entry lives exactly as long as its record: deleted with the record's events or dead letter, and, for one whose
 * record is gone (an earlier version left it), at the task's first callback.
 */
final class PartialsKeeper {
    private final KeyValueStore<Long, byte[]> store;
    private final Set<Long> entries = new HashSet<>();
    private final List<Long> orphans = new ArrayList<>();

    /** Reads which entries the (restored) store holds. */
    PartialsKeeper(KeyValueStore<Long, byte[]> store) {
        this.store = store;
        try (KeyValueIterator<Long, byte[]> it = store.all()) {
            while (it.hasNext()) {
                entries.add(it.next().key);
            }
        }
    }

    /** The largest sequence number with an entry, or -1. */
    long maxSeq() {
        long max = -1;
        for (long seq : entries) {
            max = Math.max(max, seq);
        }
        return max;
    }

    /** The entry kept under {@code seq}, or null. */
    byte[] get(long seq) {
        return entries.contains(seq) ? store.get(seq) : null;
    }

    void put(long seq, byte[] finished) {
        store.put(seq, finished);
        entries.add(seq);
    }

    /** Deletes the entry under {@code seq}, if there is one. */
    void delete(long seq) {
        if (entries.remove(seq)) {
            store.delete(seq);
        }
    }

    /** Marks the entries of no buffered record to be deleted by {@link #deleteOrphans()}. */
    void findOrphans(Set<Long> buffered) {
        for (long seq : entries) {
            if (!buffered.contains(seq)) {
                orphans.add(seq);
            }
        }
    }

    /** Deletes the entries {@link #findOrphans} found: inside a callback, so the deletes join its transaction. */
    void deleteOrphans() {
        if (orphans.isEmpty()) {
            return;
        }
        orphans.forEach(this::delete);
        orphans.clear();
    }

    int size() {
        return entries.size();
    }
}
