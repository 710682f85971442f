package io.streamnlp.topology;

import io.streamnlp.api.engine.EnrichmentEngine;
import io.streamnlp.api.event.EventWriter;
import io.streamnlp.batching.BatchCoordinator;
import io.streamnlp.batching.Completed;
import io.streamnlp.batching.CoordinatorRegistry;
import io.streamnlp.batching.Owner;
import java.io.File;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
 * <p>Its collaborators: {@link Admission} queues each record, hands it (or a {@link LongDocument}'s segments) to the
 * coordinator and settles its outcome; its {@link ForwardQueue} keeps the order events leave in (per key) and which
 * store entry goes with which record; {@link Outputs} writes events and dead letters within the topics' size limits.
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
    private Owner owner;

    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<Long, byte[]> store;
    private PartialsKeeper partials;
    private Outputs outputs;
    private String taskId;
    /** The buffer store key the next record takes. */
    private long nextSeq;

    private final Admission admission;

    /** Inference stops (per source record) kept in the task's state folder: see {@link StopLog}. */
    private StopLog stopLog;

    /** One incarnation of this task (see {@link #owner}). */
    private final class Incarnation implements Owner {
        @Override
        public void stopping(List<Long> stopped) {
            if (this != owner) {
                return; // a batch from before a revive: its tickets stand for nothing now
            }
            stopLog.stopped(admission.sourcesOf(stopped));
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
        this.admission = new Admission(settings, registry);
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.owner = new Incarnation();
        this.taskId = String.valueOf(context.taskId());
        this.store = context.getStateStore(names.buffer());
        this.partials = new PartialsKeeper(context.getStateStore(names.partials()));
        this.outputs = new Outputs(settings, writer, metrics, names, context);
        this.stopLog = StopLog.open(stateDir(context));
        admission.start(owner, stopLog, partials);
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
                    admission.admit(kv.key, stored, ok, partials.get(kv.key));
                } else {
                    admission.reject(kv.key, stored, (ParsedInput.Rejected) parsed);
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
            admission.admit(seq, stored, (ParsedInput.Accepted) parsed, null);
            coordinator().flushIfFull();
        }
        afterCallback();
    }

    private void onTick() {
        coordinator().onTick(System.nanoTime());
        afterCallback();
    }

    /**
     * The end of every callback: takes this task's finished tickets, keeps the finished segments of documents still
     * running in the partials store (in this same transaction, so a crash resumes them), feeds those documents their
     * next segments, and forwards every record that may leave, deleting it (and its partials) from the stores.
     */
    private void afterCallback() {
        partials.deleteOrphans();
        List<Completed> completed = coordinator().drain(owner);
        admission.redeem(completed);
        admission.feedRunning();
        boolean forwarded = forwardReady();
        metrics.storeSizes(taskId, admission.queue().size(), partials.size());
        if ((forwarded || !completed.isEmpty())
                && coordinator().allDelivered()
                && !coordinator().hasBacklog()) {
            // The last task of a batch has forwarded and the stream is not behind: ask for a commit now, so the batch's
            // events become visible to read_committed consumers without waiting out commit.interval.ms (one
            // transaction per batch, not per task). Behind a backlog (a full batch already waiting) Kafka Streams
            // commits every commit.interval.ms instead: a transaction per batch there cost ~10 % of eval's records/s
            // and made no event visible sooner than the queue ahead of it allowed.
            context.commit();
        }
    }

    /** Forwards (and deletes) every record the queue lets leave now; true when any did. */
    private boolean forwardReady() {
        List<ForwardQueue.Entry<BufferedRecord>> ready = admission.queue().takeReady();
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
    private static File stateDir(ProcessorContext<?, ?> context) {
        try {
            return context.stateDir();
        } catch (NullPointerException | UnsupportedOperationException e) {
            return null;
        }
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
            metrics.storeSizes(taskId, 0, 0);
        }
        owner = null;
        admission.clear();
    }
}
