package io.streamnlp.topology;

import io.streamnlp.api.dlq.RejectReason;
import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.engine.EngineFailureException;
import io.streamnlp.batching.BatchCoordinator;
import io.streamnlp.batching.Completed;
import io.streamnlp.batching.CoordinatorRegistry;
import io.streamnlp.batching.Owner;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A task's records from admission until they may leave: each record is queued for forwarding ({@link ForwardQueue}),
 * handed to the thread's {@link BatchCoordinator} whole or, when longer than one batch's token budget, as a
 * {@link LongDocument} fed a few segments at a time; the coordinator's results are matched to their records by ticket,
 * and a record whose outcome is final is settled (marked ready to leave). Everything here is per incarnation of the
 * task ({@link #start}, {@link #clear}); what leaves, and when, is the processor's.
 */
final class Admission {
    private final Settings settings;
    private final CoordinatorRegistry registry;
    private final ForwardQueue<BufferedRecord> queue = new ForwardQueue<>();
    /** Long documents still being fed their segments, by buffer store key. */
    private final TreeMap<Long, BufferedRecord> feeding = new TreeMap<>();

    private final Tickets tickets = new Tickets();
    private Owner owner;
    private StopLog stopLog;
    private PartialsKeeper partials;

    Admission(Settings settings, CoordinatorRegistry registry) {
        this.settings = settings;
        this.registry = registry;
    }

    /** A new incarnation of the task: nothing from the previous one is kept. */
    void start(Owner owner, StopLog stopLog, PartialsKeeper partials) {
        clear();
        this.owner = owner;
        this.stopLog = stopLog;
        this.partials = partials;
    }

    /** The records in their forwarding order. */
    ForwardQueue<BufferedRecord> queue() {
        return queue;
    }

    /**
     * Queues a stored record and hands it to the coordinator: whole when it fits one batch's token budget, else as a
     * long document fed a few segments at a time. A text that cannot be encoded, or has no content token (only
     * zero-width or control characters, which the normalizer drops: a model would label the special tokens alone,
     * a confident topic for nothing), completes at once as {@code UNTOKENIZABLE}.
     *
     * @param kept the partials entry stored under {@code seq}, or null
     */
    void admit(long seq, StoredRecord stored, ParsedInput.Accepted ok, byte[] kept) {
        String text = ok.text();
        int budget = registry.policy().maxTokens();
        long fingerprint = PartialResults.fingerprint(stored.topic(), stored.partition(), stored.offset(), text);
        PartialResults resumed = kept == null ? null : PartialResults.deserialize(kept, text, fingerprint);
        LongDocument doc = null;
        EncodedDocument whole = null;
        boolean unencodable = false;
        if (resumed != null) {
            doc = LongDocument.resume(text, resumed);
        } else if (LongDocument.tooLongToEncodeWhole(text, budget)) {
            doc = LongDocument.cutByChars(text, budget, fingerprint);
        } else {
            whole = encode(text);
            unencodable = whole == null || whole.contentTokens() == 0;
            if (!unencodable && whole.tokenCount() > budget) {
                doc = LongDocument.cut(text, budget, whole.tokenCount(), fingerprint);
            }
        }
        BufferedRecord r = new BufferedRecord(stored, ok, doc);
        queue.add(seq, ByteBuffer.wrap(Outputs.outputKey(stored, ok)), r);
        if (stopLog.exhausted(stored.topic(), stored.partition(), stored.offset())) {
            r.fail(
                    RejectReason.INFERENCE_FAILED,
                    RejectReason.INFERENCE_FAILED.description() + ": it was in a batch that stopped the stream "
                            + StopLog.LIMIT + " times (the breaker took it for an engine failure)");
        } else if (unencodable) {
            r.fail(RejectReason.UNTOKENIZABLE, RejectReason.UNTOKENIZABLE.description());
        } else if (doc == null) {
            submit(seq, -1, whole);
        } else {
            feeding.put(seq, r);
            feed(seq, r);
        }
        settle(seq, r);
    }

    /** A restored record that no longer parses (the configuration changed): it leaves as a dead letter. */
    void reject(long seq, StoredRecord stored, ParsedInput.Rejected bad) {
        BufferedRecord r = BufferedRecord.rejected(stored, bad.reason(), bad.message());
        queue.add(seq, stored.key() == null ? (Object) seq : ByteBuffer.wrap(stored.key()), r);
        queue.complete(seq);
    }

    /** Gives each finished ticket's result to its record (or segment); results of other incarnations are dropped. */
    void redeem(List<Completed> completed) {
        for (Completed done : completed) {
            Tickets.Ticket t = tickets.redeem(done.ticket());
            BufferedRecord r = t == null ? null : queue.get(t.seq());
            if (r == null || r.complete()) {
                continue; // already dead-lettered (another segment failed)
            }
            if (done.enrichment() == null) {
                r.fail(
                        RejectReason.INFERENCE_FAILED,
                        RejectReason.INFERENCE_FAILED.description() + ": " + done.error());
            } else if (t.segment() < 0) {
                r.enriched(done.enrichment());
            } else {
                r.segments.finished(t.segment(), done.enrichment(), t.weight());
            }
            settle(t.seq(), r);
        }
    }

    /**
     * Keeps the finished segments of documents still running in the partials store (in the callback's transaction, so
     * a crash resumes them) and feeds those documents their next segments.
     */
    void feedRunning() {
        for (Map.Entry<Long, BufferedRecord> e : new ArrayList<>(feeding.entrySet())) {
            keepPartials(e.getKey(), e.getValue());
            if (!e.getValue().complete()) {
                feed(e.getKey(), e.getValue());
            }
        }
    }

    /** The source records (as {@link StopLog} names them) that the given tickets stand for. */
    List<String> sourcesOf(List<Long> stopped) {
        List<String> ids = new ArrayList<>();
        for (long ticket : stopped) {
            Tickets.Ticket t = tickets.get(ticket);
            BufferedRecord r = t == null ? null : queue.get(t.seq());
            if (r != null) {
                ids.add(StopLog.id(r.stored.topic(), r.stored.partition(), r.stored.offset()));
            }
        }
        return ids;
    }

    void clear() {
        queue.clear();
        feeding.clear();
        tickets.clear();
    }

    /** The text's tokens, or null when the engine cannot encode it. */
    private EncodedDocument encode(String text) {
        try {
            return registry.engine().encode(text);
        } catch (EngineFailureException e) {
            throw e; // a closed engine is no fault of the record: stop, do not dead-letter
        } catch (RuntimeException e) {
            return null;
        }
    }

    private void submit(long seq, int segment, EncodedDocument doc) {
        registry.current().add(owner, tickets.issue(seq, segment, doc.contentTokens()), doc, System.nanoTime());
    }

    /** Hands a long document's next segments to the coordinator. */
    private void feed(long seq, BufferedRecord r) {
        LongDocument.Feed f = r.segments.feed(
                registry.engine(), registry.policy().maxTokens(), settings.nerEnabled() ? List.of() : null);
        for (LongDocument.Segment s : f.submit()) {
            submit(seq, s.index(), s.encoded());
        }
        if (f.failure() != null) {
            r.fail(RejectReason.UNTOKENIZABLE, RejectReason.UNTOKENIZABLE.description() + ": " + f.failure());
        }
        settle(seq, r);
    }

    /** Once a record's outcome is final it may leave: every change to a record's outcome ends here. */
    private void settle(long seq, BufferedRecord r) {
        if (r.complete()) {
            queue.complete(seq);
            feeding.remove(seq);
        }
    }

    /** Stores a running document's finished segments when they changed (or dead-letters it when they are too big). */
    private void keepPartials(long seq, BufferedRecord r) {
        byte[] kept = r.segments.takeChanges();
        if (kept == null) {
            return;
        }
        if (kept.length > settings.maxEventBytes()) {
            // its entities alone are already more than an event may hold (an event spends more bytes on each):
            // dead-letter it now, before the partials grow past what their changelog accepts
            r.fail(
                    RejectReason.OUTPUT_TOO_LARGE,
                    RejectReason.OUTPUT_TOO_LARGE.description() + ": the finished segments alone hold " + kept.length
                            + " bytes, at most " + settings.maxEventBytes());
            settle(seq, r);
            return;
        }
        partials.put(seq, kept);
    }
}
