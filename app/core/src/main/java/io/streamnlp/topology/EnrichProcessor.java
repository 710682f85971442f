package io.streamnlp.topology;

import io.streamnlp.api.dlq.RejectReason;
import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.engine.EngineFailureException;
import io.streamnlp.api.engine.EnrichmentEngine;
import io.streamnlp.api.event.EventWriter;
import io.streamnlp.batching.BatchCoordinator;
import io.streamnlp.batching.CoordinatorRegistry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Where a record's bytes become events. {@code process()} parses the record (a bad one goes straight to the DLQ),
 * stores it in this task's changelogged buffer, tokenizes it and hands it (or, for a long document, its first
 * segments) to the thread's {@link BatchCoordinator}. At the end of every callback the task takes its finished
 * results, and the records that may leave ({@link ForwardQueue}) are forwarded ({@link Outputs}) and deleted from the
 * store inside the same exactly-once transaction as the input offsets: a record is in the store until the
 * transaction that forwards its events commits, and never after.
 *
 * <p>Its collaborators: the {@link ForwardQueue} keeps the order events leave in (per key) and which store entry goes
 * with which record; a {@link LongDocument} feeds a long text's segments; {@link Outputs} writes events and dead
 * letters within the topics' size limits.
 */
final class EnrichProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private final Settings settings;
    private final CoordinatorRegistry registry;
    private final InputParser parser;
    private final EventWriter writer;
    private final RecordMetrics metrics;
    private final NodeNames names;

    /**
     * This task's identity in the coordinator, new at every {@code init()}: Kafka Streams reuses the processor object
     * when it revives a task (close, then init again), and a batch still running from before the close must not be
     * delivered to the new incarnation (its tickets may since stand for other records).
     */
    private BatchCoordinator.Owner owner;

    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<Long, byte[]> store;
    private PartialsKeeper partials;
    private Outputs outputs;
    private String taskId;
    /** The buffer store key the next record takes. */
    private long nextSeq;

    private final ForwardQueue<BufferedRecord> queue = new ForwardQueue<>();
    /** Long documents still being fed their segments, by sequence number. */
    private final TreeMap<Long, BufferedRecord> feeding = new TreeMap<>();

    private final Tickets tickets = new Tickets();

    /** Inference stops (per source record) kept in the task's state folder: see {@link StopLog}. */
    private StopLog stopLog;

    /** One incarnation of this task (see {@link #owner}). */
    private final class Incarnation implements BatchCoordinator.Owner {
        @Override
        public void stopping(List<Long> stopped) {
            if (this != owner) {
                return; // a batch from before a revive: its tickets stand for nothing now
            }
            List<String> ids = new ArrayList<>();
            for (long ticket : stopped) {
                Tickets.Ticket t = tickets.get(ticket);
                BufferedRecord r = t == null ? null : queue.get(t.seq());
                if (r != null) {
                    ids.add(StopLog.id(r.stored.topic(), r.stored.partition(), r.stored.offset()));
                }
            }
            stopLog.stopped(ids);
        }
    }

    EnrichProcessor(Settings settings, CoordinatorRegistry registry) {
        this(settings, registry, RecordMetrics.NONE);
    }

    EnrichProcessor(Settings settings, CoordinatorRegistry registry, RecordMetrics metrics) {
        this(settings, registry, metrics, NodeNames.STANDALONE);
    }

    /** @param names its stores and the output nodes it forwards to */
    EnrichProcessor(Settings settings, CoordinatorRegistry registry, RecordMetrics metrics, NodeNames names) {
        this.names = names;
        this.settings = settings;
        this.registry = registry;
        this.metrics = metrics;
        this.parser = new InputParser(settings.input());
        this.writer = new EventWriter(settings.input().includeText());
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.owner = new Incarnation();
        this.taskId = String.valueOf(context.taskId());
        clear();
        this.store = context.getStateStore(names.buffer());
        this.partials = new PartialsKeeper(context.getStateStore(names.partials()));
        this.outputs = new Outputs(settings, writer, metrics, names, context);
        this.stopLog = StopLog.open(stateDir(context));
        restore();
        context.schedule(registry.policy().tick(), PunctuationType.WALL_CLOCK_TIME, ts -> onTick());
    }

    /**
     * Records buffered before a crash or a rebalance are enriched again here, on the new owner; a long document
     * resumes from its finished segments. Nothing is forwarded or deleted from {@code init()}, which runs outside any
     * record's processing: a restored record that no longer parses is queued as a dead letter, and orphaned partials
     * are deleted, at the first callback.
     */
    private void restore() {
        long maxSeq = partials.maxSeq();
        Set<Long> buffered = new HashSet<>();
        try (KeyValueIterator<Long, byte[]> it = store.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                buffered.add(kv.key);
                maxSeq = Math.max(maxSeq, kv.key);
                StoredRecord stored = StoredRecord.deserialize(kv.value);
                ParsedInput parsed =
                        parser.parse(stored.key(), stored.value(), stored.topic(), stored.partition(), stored.offset());
                if (parsed instanceof ParsedInput.Accepted ok) {
                    admit(kv.key, stored, ok, partials.get(kv.key));
                } else {
                    reject(kv.key, stored, (ParsedInput.Rejected) parsed);
                }
            }
        }
        partials.findOrphans(buffered);
        nextSeq = maxSeq + 1;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        metrics.received(meta.topic());
        StoredRecord stored = new StoredRecord(
                record.key(),
                record.value(),
                Arrays.asList(record.headers().toArray()),
                record.timestamp(),
                meta.topic(),
                meta.partition(),
                meta.offset(),
                System.currentTimeMillis());
        ParsedInput parsed = parser.parse(record.key(), record.value(), meta.topic(), meta.partition(), meta.offset());
        if (parsed instanceof ParsedInput.Rejected bad) {
            outputs.deadLetter(stored, bad.reason(), bad.message());
        } else {
            long seq = nextSeq++;
            store.put(seq, stored.serialize());
            admit(seq, stored, (ParsedInput.Accepted) parsed, null);
            coordinator().flushIfFull();
        }
        afterCallback();
    }

    private void onTick() {
        coordinator().onTick(System.nanoTime());
        afterCallback();
    }

    /**
     * Queues a stored record and hands it to the coordinator: whole when it fits one batch's token budget, else as a
     * long document fed a few segments at a time. A text that cannot be encoded, or has no content token (only
     * zero-width or control characters, which the normalizer drops: a model would label the special tokens alone,
     * a confident topic for nothing), completes at once as {@code UNTOKENIZABLE}.
     *
     * @param kept the partials entry stored under {@code seq}, or null
     */
    private void admit(long seq, StoredRecord stored, ParsedInput.Accepted ok, byte[] kept) {
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
    private void reject(long seq, StoredRecord stored, ParsedInput.Rejected bad) {
        BufferedRecord r = BufferedRecord.rejected(stored, bad.reason(), bad.message());
        queue.add(seq, stored.key() == null ? (Object) seq : ByteBuffer.wrap(stored.key()), r);
        queue.complete(seq);
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
        coordinator().add(owner, tickets.issue(seq, segment, doc.contentTokens()), doc, System.nanoTime());
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

    /**
     * The end of every callback: takes this task's finished tickets, keeps the finished segments of documents still
     * running in the partials store (in this same transaction, so a crash resumes them), feeds those documents their
     * next segments, and forwards every record that may leave, deleting it (and its partials) from the stores.
     */
    private void afterCallback() {
        partials.deleteOrphans();
        List<BatchCoordinator.Completed> completed = coordinator().drain(owner);
        for (BatchCoordinator.Completed done : completed) {
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
        for (Map.Entry<Long, BufferedRecord> e : new ArrayList<>(feeding.entrySet())) {
            keepPartials(e.getKey(), e.getValue());
            if (!e.getValue().complete()) {
                feed(e.getKey(), e.getValue());
            }
        }
        boolean forwarded = forwardReady();
        metrics.storeSizes(taskId, queue.size(), partials.size());
        if ((forwarded || !completed.isEmpty()) && coordinator().allDelivered()) {
            // The last task of a batch has forwarded: ask for a commit now, so the batch's events become visible to
            // read_committed consumers without waiting out commit.interval.ms (one transaction per batch, not per
            // task).
            context.commit();
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

    /** Forwards (and deletes) every record the queue lets leave now; true when any did. */
    private boolean forwardReady() {
        List<ForwardQueue.Entry<BufferedRecord>> ready = queue.takeReady();
        EnrichmentEngine engine = registry.engine();
        for (ForwardQueue.Entry<BufferedRecord> e : ready) {
            BufferedRecord r = e.value();
            if (r.failure() != null) {
                outputs.deadLetter(r.stored, r.failure(), r.error());
            } else {
                outputs.emit(r.stored, r.parsed, r.enrichment(), engine.nerModel(), engine.topicModel());
            }
            store.delete(e.seq());
            stopLog.forwarded(r.stored.topic(), r.stored.partition(), r.stored.offset());
            partials.delete(e.seq());
        }
        return !ready.isEmpty();
    }

    /** The task's state folder, or null for a context that has none (a test's mock context without one). */
    private static java.io.File stateDir(ProcessorContext<?, ?> context) {
        try {
            return context.stateDir();
        } catch (NullPointerException | UnsupportedOperationException e) {
            return null;
        }
    }

    private BatchCoordinator coordinator() {
        return registry.current();
    }

    private void clear() {
        queue.clear();
        feeding.clear();
        tickets.clear();
    }

    @Override
    public void close() {
        // Records still buffered stay in the store: the task's next owner (or this object, revived) restores and
        // enriches them. Everything per incarnation goes, so nothing from before the close reaches the next init().
        if (owner != null) {
            registry.current().remove(owner);
            metrics.storeSizes(taskId, 0, 0);
        }
        owner = null;
        clear();
    }
}
