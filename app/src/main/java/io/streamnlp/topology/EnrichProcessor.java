package io.streamnlp.topology;

import io.streamnlp.api.Enrichment;
import io.streamnlp.batching.BatchCoordinator;
import io.streamnlp.batching.CoordinatorRegistry;
import io.streamnlp.batching.StoredRecord;
import io.streamnlp.inference.EncodedDocument;
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
public final class EnrichProcessor implements Processor<byte[], byte[], byte[], byte[]>, BatchCoordinator.Owner {
    private final Settings settings;
    private final CoordinatorRegistry registry;
    private final InputParser parser;
    private final EventWriter writer;
    private final RecordMetrics metrics;

    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<Long, byte[]> store;
    private long nextSeq;
    /** Records of this task in the store and in the coordinator, by store key. */
    private final Map<Long, InFlight> inFlight = new HashMap<>();
    /** Stored records that no longer parse after a restore (config changed): dead-lettered at the first callback. */
    private final List<Long> restoredRejects = new ArrayList<>();

    private record InFlight(StoredRecord stored, ParsedInput.Accepted parsed) {}

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
        for (Long seq : keys) {
            StoredRecord stored = StoredRecord.deserialize(store.get(seq));
            ParsedInput parsed = parser.parse(stored.key(), stored.value(), stored.topic(), stored.partition(), stored.offset());
            if (parsed instanceof ParsedInput.Accepted ok) {
                enqueue(seq, stored, ok);
            } else {
                restoredRejects.add(seq);
            }
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
        } catch (RuntimeException e) {
            doc = null;
        }
        if (doc == null || doc.tokenCount() == 0) {
            if (context.recordMetadata().isPresent()) {
                deadLetter(stored.key(), stored.value(), stored.kafkaHeaders(), stored.timestamp(), RejectReason.UNTOKENIZABLE,
                        RejectReason.UNTOKENIZABLE.description(), stored.topic(), stored.partition(), stored.offset());
            } else {
                restoredRejects.add(seq);
            }
            return false;
        }
        inFlight.put(seq, new InFlight(stored, ok));
        coordinator().add(this, seq, doc, System.nanoTime());
        return true;
    }

    /** Forwards this task's finished records and removes them from its store. */
    private void forwardCompleted() {
        List<BatchCoordinator.Completed> completed = coordinator().drain(this);
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
        if (e.entities() != null) {
            context.forward(new Record<>(key, writer.entities(in, e.entities(), engine.nerModel(), latencyMs), s.timestamp()),
                    EnricherTopology.ENTITIES_SINK);
            metrics.emitted(settings.topics().entities());
        }
        if (e.topic() != null) {
            context.forward(new Record<>(key, writer.topic(in, e.topic(), engine.topicModel(), latencyMs), s.timestamp()),
                    EnricherTopology.TOPICS_SINK);
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
        // Records still buffered stay in the store: the task's next owner restores and enriches them.
        registry.current().remove(this);
        inFlight.clear();
    }
}
