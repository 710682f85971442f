package io.streamnlp.topology;

import io.streamnlp.api.dlq.RejectReason;
import io.streamnlp.api.event.Enrichment;

/**
 * A record of a task from its arrival (or restore) until its events or its dead letter are forwarded: what was stored,
 * what was parsed, and its outcome so far. Its outcome is final ({@link #complete()}) once it has a failure, its whole
 * enrichment, or every segment of its long document.
 */
final class BufferedRecord {
    final StoredRecord stored;
    /** Null for a restored record that no longer parses (it is dead-lettered). */
    final ParsedInput.Accepted parsed;
    /** Null for a record inferred whole; its segments otherwise. */
    final LongDocument segments;

    private Enrichment whole;
    private RejectReason failure;
    private String error;

    BufferedRecord(StoredRecord stored, ParsedInput.Accepted parsed, LongDocument segments) {
        this.stored = stored;
        this.parsed = parsed;
        this.segments = segments;
    }

    /** A record whose outcome is a dead letter from the start (a restored record that no longer parses). */
    static BufferedRecord rejected(StoredRecord stored, RejectReason reason, String message) {
        BufferedRecord r = new BufferedRecord(stored, null, null);
        r.fail(reason, message);
        return r;
    }

    void enriched(Enrichment e) {
        whole = e;
    }

    /** The first failure wins: a record gets one dead letter, whatever else goes wrong with it afterwards. */
    void fail(RejectReason reason, String message) {
        if (failure == null) {
            failure = reason;
            error = message;
        }
    }

    boolean complete() {
        return failure != null || whole != null || (segments != null && segments.complete());
    }

    RejectReason failure() {
        return failure;
    }

    String error() {
        return error;
    }

    /** Its enrichment, once complete without a failure. */
    Enrichment enrichment() {
        return whole != null ? whole : segments.merge();
    }
}
