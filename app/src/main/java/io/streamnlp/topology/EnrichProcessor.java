package io.streamnlp.topology;

import io.streamnlp.api.dlq.DeadLetters;
import io.streamnlp.api.dlq.RejectReason;
import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.engine.EngineFailureException;
import io.streamnlp.api.engine.EnrichmentEngine;
import io.streamnlp.api.event.Enrichment;
import io.streamnlp.api.event.EventWriter;
import io.streamnlp.batching.BatchCoordinator;
import io.streamnlp.batching.CoordinatorRegistry;
import io.streamnlp.batching.StoredRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Where a record's bytes become events. {@code process()} parses and validates the record (bad ones
 * go straight to the DLQ), tokenizes it, appends it to this task's changelogged buffer store and hands
 * it to the thread's {@link BatchCoordinator}. Inference runs when the coordinator's batch policy is
 * met; this task then forwards its own results and deletes them from its store, inside the same
 * exactly-once transaction as the input offsets.
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
     * delivered to the new incarnation (its sequence numbers may since name other records).
     */
    private BatchCoordinator.Owner owner;
    /** True while init() restores: nothing may be forwarded then (a real task's dummy record context has no offset). */
    private boolean initializing;

    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<Long, byte[]> store;
    private long nextSeq;
    /**
     * This task's records being enriched, in input (sequence) order: a record is emitted once it is complete and no
     * earlier record of its key is still waiting, so a key's events keep their input order even when a long
     * document's segments finish after later records, and other keys' records do not wait behind it.
     */
    private final TreeMap<Long, Doc> docs = new TreeMap<>();
    /** What each item handed to the coordinator stands for: a whole record, or one segment of a long one. */
    private final Map<Long, Item> items = new HashMap<>();

    private long nextItem;
    /** Stored records that no longer parse after a restore (config changed): dead-lettered at the first callback. */
    private final List<Long> restoredRejects = new ArrayList<>();

    private KeyValueStore<Long, byte[]> partials;
    /** A record became complete without an item coming back (a segment that cannot be encoded, partials too big). */
    private boolean rescan;

    /** Segments of one document in the coordinator at once: enough to keep two lanes busy, few enough to stay short. */
    private static final int SEGMENTS_IN_FLIGHT = 2;

    private record Item(long seq, int segment, int weight) {}

    /** A record of this task, from its arrival (or restore) until its events or its dead letter are forwarded. */
    private static final class Doc {
        final StoredRecord stored;
        final ParsedInput.Accepted parsed;
        /** Null for a record inferred whole; the segments of a long document otherwise. */
        final PartialResults segments;

        Enrichment whole;
        RejectReason failure;
        String error;
        int nextSegment;
        int inFlight;
        boolean dirty;

        Doc(StoredRecord stored, ParsedInput.Accepted parsed, PartialResults segments) {
            this.stored = stored;
            this.parsed = parsed;
            this.segments = segments;
        }

        boolean complete() {
            return failure != null || whole != null || (segments != null && segments.complete());
        }
    }

    /** One incarnation of this task (see {@link #owner}). */
    private static final class Incarnation implements BatchCoordinator.Owner {}

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
        this.docs.clear();
        this.items.clear();
        this.restoredRejects.clear();
        this.store = context.getStateStore(names.buffer());
        this.partials = context.getStateStore(names.partials());
        // Records buffered before a crash or a rebalance: enrich them here, on the new owner; a long document
        // resumes from its finished segments.
        long maxSeq = -1;
        List<Long> keys = new ArrayList<>();
        try (KeyValueIterator<Long, byte[]> it = store.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                maxSeq = Math.max(maxSeq, kv.key);
                keys.add(kv.key);
            }
        }
        nextSeq = maxSeq + 1;
        // Rejects found here are dead-lettered (and deleted) at the first callback, inside its transaction: init()
        // runs outside any record's processing, so a forward from here would not pair with a delete of the record.
        initializing = true;
        try {
            for (Long seq : keys) {
                StoredRecord stored = StoredRecord.deserialize(store.get(seq));
                ParsedInput parsed =
                        parser.parse(stored.key(), stored.value(), stored.topic(), stored.partition(), stored.offset());
                if (parsed instanceof ParsedInput.Accepted ok) {
                    byte[] done = partials.get(seq);
                    enqueue(seq, stored, ok, done == null ? null : PartialResults.deserialize(done, ok.text()));
                } else {
                    restoredRejects.add(seq);
                }
            }
        } finally {
            initializing = false;
        }
        rescan = true; // a restored long document may have all of its segments finished already
        context.schedule(registry.policy().tick(), PunctuationType.WALL_CLOCK_TIME, ts -> onTick());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        forwardRestoredRejects();
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        metrics.received(meta.topic());
        ParsedInput parsed = parser.parse(record.key(), record.value(), meta.topic(), meta.partition(), meta.offset());
        if (parsed instanceof ParsedInput.Rejected bad) {
            deadLetter(
                    record.key(),
                    record.value(),
                    record.headers(),
                    record.timestamp(),
                    bad.reason(),
                    bad.message(),
                    meta.topic(),
                    meta.partition(),
                    meta.offset());
            return;
        }
        ParsedInput.Accepted ok = (ParsedInput.Accepted) parsed;
        StoredRecord stored = new StoredRecord(
                record.key(),
                record.value(),
                Arrays.asList(record.headers().toArray()),
                record.timestamp(),
                meta.topic(),
                meta.partition(),
                meta.offset(),
                System.currentTimeMillis());
        long seq = nextSeq++;
        if (enqueue(seq, stored, ok, null)) {
            store.put(seq, stored.serialize());
            coordinator().flushIfFull();
        }
        forwardCompleted();
    }

    private void onTick() {
        forwardRestoredRejects();
        coordinator().onTick(System.nanoTime());
        forwardCompleted();
    }

    /**
     * Tokenizes and hands to the coordinator; false (and dead-lettered) when the text cannot be encoded. A text over
     * one batch's token budget is cut into segments (between sentences) that are inferred a few at a time, each in a
     * batch of its own, so no batch, and no transaction, holds more than a budget's worth of inference.
     *
     * @param resumed the finished segments of a long document restored from the partials store, or null
     */
    private boolean enqueue(long seq, StoredRecord stored, ParsedInput.Accepted ok, PartialResults resumed) {
        EnrichmentEngine engine = registry.engine();
        EncodedDocument doc;
        try {
            doc = resumed == null ? engine.encode(ok.text()) : null;
        } catch (EngineFailureException e) {
            throw e; // a closed engine is no fault of the record: stop, do not dead-letter
        } catch (RuntimeException e) {
            doc = null;
        }
        // No content token (only zero-width or control characters, dropped by the normalizer): a model would label
        // the special tokens alone, a confident topic for nothing. Such a record is UNTOKENIZABLE.
        if (resumed == null && (doc == null || doc.contentTokens() == 0)) {
            rejectUntokenizable(seq, stored);
            return false;
        }
        int budget = registry.policy().maxTokens();
        if (resumed == null && doc.tokenCount() <= budget) {
            docs.put(seq, new Doc(stored, ok, null));
            long item = nextItem++;
            items.put(item, new Item(seq, -1, doc.contentTokens()));
            coordinator().add(owner, item, doc, System.nanoTime());
            return true;
        }
        PartialResults segments = resumed;
        if (segments == null) {
            // chars per segment from this text's own chars per token, with room for the estimate's error
            long target = (long) ((double) ok.text().length() * budget * 0.8 / doc.tokenCount());
            segments = new PartialResults(Segments.cuts(ok.text(), (int) Math.min(Integer.MAX_VALUE, target)));
        }
        Doc d = new Doc(stored, ok, segments);
        docs.put(seq, d);
        feed(seq, d);
        if (d.failure == RejectReason.UNTOKENIZABLE && !resumed(segments)) {
            docs.remove(seq);
            rejectUntokenizable(seq, stored);
            return false;
        }
        return true;
    }

    private static boolean resumed(PartialResults p) {
        return p.finished() > 0;
    }

    private void rejectUntokenizable(long seq, StoredRecord stored) {
        if (!initializing) {
            deadLetter(
                    stored.key(),
                    stored.value(),
                    stored.kafkaHeaders(),
                    stored.timestamp(),
                    RejectReason.UNTOKENIZABLE,
                    RejectReason.UNTOKENIZABLE.description(),
                    stored.topic(),
                    stored.partition(),
                    stored.offset());
        } else {
            restoredRejects.add(seq);
        }
    }

    /** Hands the next unfinished segments of a long document to the coordinator, a few at a time. */
    private void feed(long seq, Doc d) {
        PartialResults p = d.segments;
        while (d.failure == null && d.inFlight < SEGMENTS_IN_FLIGHT && d.nextSegment < p.cuts.length) {
            int k = d.nextSegment++;
            if (p.done[k] != null) {
                continue;
            }
            EncodedDocument seg;
            try {
                seg = registry.engine().encode(p.segmentText(d.parsed.text(), k));
            } catch (EngineFailureException e) {
                throw e;
            } catch (RuntimeException e) {
                d.failure = RejectReason.UNTOKENIZABLE;
                d.error = RejectReason.UNTOKENIZABLE.description() + ": segment " + k + ": " + e.getMessage();
                rescan = true;
                return;
            }
            int budget = registry.policy().maxTokens();
            if (seg.tokenCount() > budget + budget / 2) {
                // denser than the text's average (a table of digits in prose): cut this segment finer, by its own
                // density
                String text = p.segmentText(d.parsed.text(), k);
                int[] sub = Segments.cuts(
                        text, (int) Math.max(16, (long) text.length() * budget * 4 / 5 / seg.tokenCount()));
                if (sub.length > 1) {
                    for (int i = 0; i < sub.length; i++) {
                        sub[i] += p.cuts[k];
                    }
                    p.split(k, sub);
                    d.nextSegment = k;
                    d.dirty = true;
                    continue;
                }
            }
            if (seg.contentTokens() == 0) { // e.g. a stretch of zero-width characters: nothing to label there
                p.finish(k, new Enrichment(settings.nerEnabled() ? List.of() : null, null), 0, 0);
                d.dirty = true;
                continue;
            }
            long item = nextItem++;
            items.put(item, new Item(seq, k, seg.contentTokens()));
            d.inFlight++;
            coordinator().add(owner, item, seg, System.nanoTime());
        }
    }

    /**
     * Takes this task's finished items, forwards every record at the head of the queue whose enrichment is complete
     * (and removes it from the store), keeps the finished segments of documents still running in the partials store
     * (in this same transaction, so a crash resumes them), and feeds those documents their next segments.
     */
    private void forwardCompleted() {
        List<BatchCoordinator.Completed> completed = coordinator().drain(owner);
        for (BatchCoordinator.Completed done : completed) {
            Item it = items.remove(done.seq());
            if (it == null) {
                continue;
            }
            Doc d = docs.get(it.seq());
            if (d == null || d.failure != null) {
                continue; // already dead-lettered
            }
            if (done.enrichment() == null) {
                d.failure = RejectReason.INFERENCE_FAILED;
                d.error = RejectReason.INFERENCE_FAILED.description() + ": " + done.error();
            } else if (it.segment() < 0) {
                d.whole = done.enrichment();
            } else {
                d.inFlight--;
                d.segments.finish(
                        it.segment(),
                        done.enrichment(),
                        d.segments.cpStart(d.parsed.text(), it.segment()),
                        it.weight());
                d.dirty = true;
            }
        }
        // only a finished item or a failure found here can complete a record: otherwise nothing is ready to go
        boolean forwarded = (!completed.isEmpty() || rescan) && forwardReady();
        for (Map.Entry<Long, Doc> e : docs.entrySet()) {
            Doc d = e.getValue();
            if (d.segments == null || d.complete()) {
                continue;
            }
            if (d.dirty) {
                byte[] kept = d.segments.serialize();
                d.dirty = false;
                if (kept.length > settings.maxEventBytes()) {
                    // its entities alone are already more than an event may hold (an event spends more bytes on each):
                    // dead-letter it now, before the partials grow past what their changelog accepts
                    d.failure = RejectReason.OUTPUT_TOO_LARGE;
                    d.error = RejectReason.OUTPUT_TOO_LARGE.description() + ": the finished segments alone hold "
                            + kept.length + " bytes, at most " + settings.maxEventBytes();
                    rescan = true;
                    continue;
                }
                partials.put(e.getKey(), kept);
            }
            feed(e.getKey(), d);
        }
        if ((forwarded || !completed.isEmpty()) && coordinator().allDelivered()) {
            // The last task of a batch has forwarded: ask for a commit now, so the batch's events become visible to
            // read_committed consumers without waiting out commit.interval.ms (one transaction per batch, not per
            // task).
            context.commit();
        }
    }

    /**
     * Forwards every complete record that no earlier record of the same output key is still waiting for; true when
     * any was. Order is kept per key (what a downstream consumer of a key sees), not per partition: a short record
     * does not wait behind a long document of another key that happens to share its partition.
     */
    private boolean forwardReady() {
        rescan = false;
        boolean any = false;
        Set<ByteBuffer> waiting = null;
        for (var it = docs.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            Doc d = e.getValue();
            ByteBuffer key = ByteBuffer.wrap(outputKey(d.stored, d.parsed));
            if (!d.complete() || (waiting != null && waiting.contains(key))) {
                if (waiting == null) {
                    waiting = new HashSet<>();
                }
                waiting.add(key);
                continue;
            }
            it.remove();
            StoredRecord s = d.stored;
            if (d.failure != null) {
                deadLetter(
                        s.key(),
                        s.value(),
                        s.kafkaHeaders(),
                        s.timestamp(),
                        d.failure,
                        d.error,
                        s.topic(),
                        s.partition(),
                        s.offset());
            } else {
                emit(s, d.parsed, d.whole != null ? d.whole : d.segments.merge());
            }
            store.delete(e.getKey());
            if (d.segments != null) {
                partials.delete(e.getKey());
            }
            any = true;
        }
        return any;
    }

    /** The key of a record's events: its own key, or its id when it has none. */
    private static byte[] outputKey(StoredRecord s, ParsedInput.Accepted in) {
        return s.key() != null ? s.key() : in.id().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private void emit(StoredRecord s, ParsedInput.Accepted in, Enrichment e) {
        long latencyMs = Math.max(0, System.currentTimeMillis() - s.enqueuedAtMs());
        byte[] key = outputKey(s, in);
        EnrichmentEngine engine = registry.engine();
        byte[] entities = e.entities() != null
                ? writer.entities(in.id(), in.text(), in.extras(), e.entities(), engine.nerModel(), latencyMs)
                : null;
        byte[] topic = e.topic() != null
                ? writer.topic(in.id(), in.text(), in.extras(), e.topic(), engine.topicModel(), latencyMs)
                : null;
        // An entity-dense text can make an event tens of times its own size: one the topic cannot take would fail the
        // producer, kill the stream thread, and do so again on every instance that restores the record. Both events
        // are checked before either is sent, so a record gets all of its events or a dead letter, never half.
        long limit = settings.maxEventBytes() - key.length - Settings.RECORD_OVERHEAD_BYTES;
        long biggest = Math.max(entities == null ? 0 : entities.length, topic == null ? 0 : topic.length);
        if (biggest > limit) {
            deadLetter(
                    s.key(),
                    s.value(),
                    s.kafkaHeaders(),
                    s.timestamp(),
                    RejectReason.OUTPUT_TOO_LARGE,
                    RejectReason.OUTPUT_TOO_LARGE.description() + ": " + biggest + " bytes, at most "
                            + Math.max(0, limit),
                    s.topic(),
                    s.partition(),
                    s.offset());
            return;
        }
        if (entities != null) {
            context.forward(new Record<>(key, entities, s.timestamp()), names.entities());
            metrics.emitted(settings.topics().entities());
        }
        if (topic != null) {
            context.forward(new Record<>(key, topic, s.timestamp()), names.topics());
            metrics.emitted(settings.topics().topics());
        }
    }

    private void forwardRestoredRejects() {
        if (restoredRejects.isEmpty()) {
            return;
        }
        for (Long seq : restoredRejects) {
            byte[] raw = store.get(seq);
            if (raw == null) {
                continue;
            }
            StoredRecord s = StoredRecord.deserialize(raw);
            ParsedInput p = parser.parse(s.key(), s.value(), s.topic(), s.partition(), s.offset());
            RejectReason reason = p instanceof ParsedInput.Rejected r ? r.reason() : RejectReason.UNTOKENIZABLE;
            String message = p instanceof ParsedInput.Rejected r ? r.message() : reason.description();
            deadLetter(
                    s.key(),
                    s.value(),
                    s.kafkaHeaders(),
                    s.timestamp(),
                    reason,
                    message,
                    s.topic(),
                    s.partition(),
                    s.offset());
            store.delete(seq);
        }
        restoredRejects.clear();
    }

    private void deadLetter(
            byte[] key,
            byte[] value,
            Headers headers,
            long timestamp,
            RejectReason reason,
            String message,
            String topic,
            int partition,
            long offset) {
        Headers h = DeadLetters.headers(headers, reason, message, topic, partition, offset);
        context.forward(new Record<>(key, value, timestamp, h), names.deadLetters());
        metrics.deadLettered(reason);
    }

    private BatchCoordinator coordinator() {
        return registry.current();
    }

    @Override
    public void close() {
        // Records still buffered stay in the store: the task's next owner (or this object, revived) restores and
        // enriches them. Everything per incarnation goes, so nothing from before the close reaches the next init().
        if (owner != null) {
            registry.current().remove(owner);
        }
        owner = null;
        docs.clear();
        items.clear();
        restoredRejects.clear();
    }
}
