package io.streamnlp.topology;

import io.streamnlp.api.Enrichment;
import io.streamnlp.batching.BatchCoordinator;
import io.streamnlp.batching.CoordinatorRegistry;
import io.streamnlp.batching.StoredRecord;
import io.streamnlp.inference.EncodedDocument;
import io.streamnlp.inference.EngineFailureException;
import io.streamnlp.inference.EnrichmentEngine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
public final class EnrichProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private final Settings settings;
    private final CoordinatorRegistry registry;
    private final InputParser parser;
    private final EventWriter writer;
    private final RecordMetrics metrics;

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
    /** Records of this task in the store and in the coordinator, by store key. */
    private final Map<Long, InFlight> inFlight = new HashMap<>();
    /** Stored records that no longer parse after a restore (config changed): dead-lettered at the first callback. */
    private final List<Long> restoredRejects = new ArrayList<>();

    private record InFlight(StoredRecord stored, ParsedInput.Accepted parsed) {}

    /** One incarnation of this task (see {@link #owner}). */
    private static final class Incarnation implements BatchCoordinator.Owner {}

    public EnrichProcessor(Settings settings, CoordinatorRegistry registry) {
        this(settings, registry, RecordMetrics.NONE);
    }

    public EnrichProcessor(Settings settings, CoordinatorRegistry registry, RecordMetrics metrics) {
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
        this.inFlight.clear();
        this.restoredRejects.clear();
        this.store = context.getStateStore(EnricherTopology.BUFFER_STORE);
        // Records buffered before a crash or a rebalance: enrich them here, on the new owner.
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
                ParsedInput parsed = parser.parse(stored.key(), stored.value(), stored.topic(), stored.partition(), stored.offset());
                if (parsed instanceof ParsedInput.Accepted ok) {
                    enqueue(seq, stored, ok);
                } else {
                    restoredRejects.add(seq);
                }
            }
        } finally {
            initializing = false;
        }
        context.schedule(registry.policy().tick(), PunctuationType.WALL_CLOCK_TIME, ts -> onTick());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        forwardRestoredRejects();
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        metrics.received(meta.topic());
        ParsedInput parsed = parser.parse(record.key(), record.value(), meta.topic(), meta.partition(), meta.offset());
        if (parsed instanceof ParsedInput.Rejected bad) {
            deadLetter(record.key(), record.value(), record.headers(), record.timestamp(), bad.reason(), bad.message(),
                    meta.topic(), meta.partition(), meta.offset());
            return;
        }
        ParsedInput.Accepted ok = (ParsedInput.Accepted) parsed;
        StoredRecord stored = new StoredRecord(record.key(), record.value(), Arrays.asList(record.headers().toArray()),
                record.timestamp(), meta.topic(), meta.partition(), meta.offset(), System.currentTimeMillis());
        long seq = nextSeq++;
        if (enqueue(seq, stored, ok)) {
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

    /** Tokenizes and hands to the coordinator; false (and dead-lettered) when the text cannot be encoded. */
    private boolean enqueue(long seq, StoredRecord stored, ParsedInput.Accepted ok) {
        EnrichmentEngine engine = registry.engine();
        EncodedDocument doc;
        try {
            doc = engine.encode(ok.text());
        } catch (EngineFailureException e) {
            throw e; // a closed engine is no fault of the record: stop, do not dead-letter
        } catch (RuntimeException e) {
            doc = null;
        }
        // No content token (only zero-width or control characters, dropped by the normalizer): a model would label
        // the special tokens alone, a confident topic for nothing. Such a record is UNTOKENIZABLE.
        if (doc == null || doc.contentTokens() == 0) {
            if (!initializing) {
                deadLetter(stored.key(), stored.value(), stored.kafkaHeaders(), stored.timestamp(), RejectReason.UNTOKENIZABLE,
                        RejectReason.UNTOKENIZABLE.description(), stored.topic(), stored.partition(), stored.offset());
            } else {
                restoredRejects.add(seq);
            }
            return false;
        }
        inFlight.put(seq, new InFlight(stored, ok));
        coordinator().add(owner, seq, doc, System.nanoTime());
        return true;
    }

    /** Forwards this task's finished records and removes them from its store. */
    private void forwardCompleted() {
        List<BatchCoordinator.Completed> completed = coordinator().drain(owner);
        for (BatchCoordinator.Completed done : completed) {
            InFlight f = inFlight.remove(done.seq());
            if (f == null) {
                continue; // not ours any more (task re-initialised)
            }
            StoredRecord s = f.stored();
            if (done.enrichment() == null) {
                deadLetter(s.key(), s.value(), s.kafkaHeaders(), s.timestamp(), RejectReason.INFERENCE_FAILED,
                        RejectReason.INFERENCE_FAILED.description() + ": " + done.error(), s.topic(), s.partition(), s.offset());
            } else {
                emit(s, f.parsed(), done.enrichment());
            }
            store.delete(done.seq());
        }
        if (!completed.isEmpty() && coordinator().allDelivered()) {
            // The last task of a batch has forwarded: ask for a commit now, so the batch's events become visible to
            // read_committed consumers without waiting out commit.interval.ms (one transaction per batch, not per task).
            context.commit();
        }
    }

    private void emit(StoredRecord s, ParsedInput.Accepted in, Enrichment e) {
        long latencyMs = Math.max(0, System.currentTimeMillis() - s.enqueuedAtMs());
        byte[] key = s.key() != null ? s.key() : in.id().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        EnrichmentEngine engine = registry.engine();
        byte[] entities = e.entities() != null ? writer.entities(in, e.entities(), engine.nerModel(), latencyMs) : null;
        byte[] topic = e.topic() != null ? writer.topic(in, e.topic(), engine.topicModel(), latencyMs) : null;
        // An entity-dense text can make an event tens of times its own size: one the topic cannot take would fail the
        // producer, kill the stream thread, and do so again on every instance that restores the record. Both events
        // are checked before either is sent, so a record gets all of its events or a dead letter, never half.
        long limit = settings.maxEventBytes() - key.length - Settings.RECORD_OVERHEAD_BYTES;
        long biggest = Math.max(entities == null ? 0 : entities.length, topic == null ? 0 : topic.length);
        if (biggest > limit) {
            deadLetter(s.key(), s.value(), s.kafkaHeaders(), s.timestamp(), RejectReason.OUTPUT_TOO_LARGE,
                    RejectReason.OUTPUT_TOO_LARGE.description() + ": " + biggest + " bytes, at most " + Math.max(0, limit),
                    s.topic(), s.partition(), s.offset());
            return;
        }
        if (entities != null) {
            context.forward(new Record<>(key, entities, s.timestamp()), EnricherTopology.ENTITIES_SINK);
            metrics.emitted(settings.topics().entities());
        }
        if (topic != null) {
            context.forward(new Record<>(key, topic, s.timestamp()), EnricherTopology.TOPICS_SINK);
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
            deadLetter(s.key(), s.value(), s.kafkaHeaders(), s.timestamp(), reason, message, s.topic(), s.partition(), s.offset());
            store.delete(seq);
        }
        restoredRejects.clear();
    }

    private void deadLetter(byte[] key, byte[] value, Headers headers, long timestamp, RejectReason reason, String message,
                            String topic, int partition, long offset) {
        Headers h = DeadLetters.headers(headers, reason, message, topic, partition, offset);
        context.forward(new Record<>(key, value, timestamp, h), EnricherTopology.DLQ_SINK);
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
        inFlight.clear();
        restoredRejects.clear();
    }
}
