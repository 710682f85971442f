package io.streamnlp.inference;

import io.streamnlp.api.engine.BatchResult;
import io.streamnlp.api.engine.BatchStats;
import io.streamnlp.api.engine.Device;
import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.engine.EngineFailureException;
import io.streamnlp.api.engine.EnrichmentEngine;
import io.streamnlp.api.event.Enrichment;
import io.streamnlp.api.event.Entity;
import io.streamnlp.api.event.TopicPrediction;
import io.streamnlp.model.Aggregation;
import io.streamnlp.model.ModelBundle;
import io.streamnlp.tokenize.EncodedText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link EnrichmentEngine} on ONNX Runtime: one session per distinct bundle folder, length-bucketed
 * batches padded only to each bucket's longest window, windows merged back per document. The jobs are its
 * collaborators': {@link EngineLoader} opens the sessions, {@link BucketPlanner} plans each batch,
 * {@link LaneExecutor} runs the plan on the lanes' sessions and {@link LogitDecoder} turns logits into results.
 *
 * <p>Threads: {@link #encode} is thread-safe and may run on any thread, also while inference runs (it only
 * reads the tokenizers). Each lane (a set of sessions, one per bundle, with its own buffers and decoding
 * scratch) serves one call at a time: {@link #infer(List, int[])} calls on disjoint lanes may run in parallel;
 * {@link #infer(List)} uses every lane. {@link #close} waits for running calls.
 */
public final class OnnxEnrichmentEngine implements EnrichmentEngine {
    private static final Logger log = LoggerFactory.getLogger(OnnxEnrichmentEngine.class);
    /** Most documents in one batch: a bucket plan packs (length, document, window) into one long, 21 bits for the document. */
    public static final int MAX_BATCH_DOCUMENTS = BucketPlanner.MAX_DOCUMENTS;
    /** Most windows of one document, for the same reason (21 bits for the window). */
    public static final int MAX_DOCUMENT_WINDOWS = BucketPlanner.MAX_WINDOWS;

    private final EngineLoader.Loaded loaded;
    private final BundleRuntime[] runtimes;
    private final BundleRuntime ner;
    private final BundleRuntime topic;
    private final int nerIndex;
    private final int topicIndex;
    private final BucketPlanner planner;
    private final LaneExecutor executor;
    private final LogitDecoder decoder;
    private final int[] allLanes;
    private volatile boolean closed;
    /** encode/infer hold the read side, close the write side: native tokenizers and sessions are never freed in use. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();

    private OnnxEnrichmentEngine(EngineLoader.Loaded loaded, EngineOptions options) {
        this.loaded = loaded;
        this.runtimes = loaded.runtimes();
        this.nerIndex = loaded.nerIndex();
        this.topicIndex = loaded.topicIndex();
        this.ner = nerIndex >= 0 ? runtimes[nerIndex] : null;
        this.topic = topicIndex >= 0 ? runtimes[topicIndex] : null;
        int laneCount = loaded.laneCount();
        this.allLanes = new int[laneCount];
        Arrays.setAll(allLanes, i -> i);
        this.planner = new BucketPlanner(options.maxBucketRows());
        ModelBundle.Task nerTask = ner != null ? ner.bundle.ner() : null;
        Aggregation agg =
                nerTask == null ? null : options.aggregation() != null ? options.aggregation() : nerTask.aggregation();
        this.decoder = new LogitDecoder(nerTask, agg, topic != null ? topic.bundle.topic() : null, laneCount);
        this.executor = new LaneExecutor(laneCount);
    }

    /** Opens the bundles (one session per distinct folder) and checks each with a dummy run. */
    public static OnnxEnrichmentEngine open(EngineOptions options) {
        return open(options, 1);
    }

    /**
     * As {@link #open(EngineOptions)}, with {@code sessions} lanes (parallel sessions per bundle; 0: auto): a call
     * splits each length bucket's rows over the lanes it is given, the calling thread running the first, and calls
     * on disjoint lanes run side by side. On a CPU several single-threaded sessions beat one multi-threaded session
     * (no per-operator barrier across cores). Auto: on CPU min(cores, 4) sessions, with cores / sessions intra-op threads each when
     * intra-op threads are left at 0; on CUDA one session (the GPU serialises runs anyway).
     */
    public static OnnxEnrichmentEngine open(EngineOptions options, int sessions) {
        EngineLoader.Loaded loaded = EngineLoader.load(options, sessions);
        try {
            OnnxEnrichmentEngine engine = new OnnxEnrichmentEngine(loaded, options);
            log.info(
                    "enrichment engine on {}: ner={} topic={}, {} session(s) per bundle",
                    engine.device(),
                    engine.nerModel(),
                    engine.topicModel(),
                    loaded.laneCount());
            return engine;
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    @Override
    public EncodedDocument encode(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text is null");
        }
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new EngineFailureException("engine is closed"); // the native tokenizer is freed
            }
            EncodedText[] per = new EncodedText[runtimes.length];
            for (int i = 0; i < runtimes.length; i++) {
                try {
                    per[i] = runtimes[i].tokenizer.encode(text);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("cannot tokenize text: " + e.getMessage(), e);
                }
                if (per[i].windowCount() > MAX_DOCUMENT_WINDOWS) { // would corrupt the packed keys, not just fail
                    throw new IllegalArgumentException("text needs " + per[i].windowCount() + " windows, more than "
                            + MAX_DOCUMENT_WINDOWS + " (lower input.max.bytes)");
                }
            }
            return new OnnxEncodedDocument(this, per);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    @Override
    public BatchResult infer(List<? extends EncodedDocument> documents) {
        return infer(documents, allLanes);
    }

    @Override
    public int lanes() {
        return allLanes.length;
    }

    @Override
    public BatchResult infer(List<? extends EncodedDocument> documents, int[] laneIds) {
        checkLanes(laneIds);
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new EngineFailureException("engine is closed");
            }
            return inferOpen(documents, laneIds);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private void checkLanes(int[] laneIds) {
        if (laneIds == null || laneIds.length == 0) {
            throw new IllegalArgumentException("no lanes given");
        }
        boolean[] seen = new boolean[allLanes.length];
        for (int l : laneIds) {
            if (l < 0 || l >= allLanes.length || seen[l]) {
                throw new IllegalArgumentException(
                        "lanes must be distinct and in [0, " + allLanes.length + "): " + Arrays.toString(laneIds));
            }
            seen[l] = true;
        }
    }

    private BatchResult inferOpen(List<? extends EncodedDocument> documents, int[] laneIds) {
        int docs = documents.size();
        if (docs > MAX_BATCH_DOCUMENTS) { // the packed keys would mix documents up (BatchPolicy bounds
            // batch.max.records)
            throw new IllegalArgumentException(docs + " documents in one batch, more than " + MAX_BATCH_DOCUMENTS);
        }
        OnnxEncodedDocument[] encoded = new OnnxEncodedDocument[docs];
        for (int d = 0; d < docs; d++) {
            EncodedDocument doc = documents.get(d);
            if (!(doc instanceof OnnxEncodedDocument od) || od.owner != this) {
                throw new IllegalArgumentException("document " + d + " was not encoded by this engine");
            }
            encoded[d] = od;
        }
        // NER: per document, per window, the content tokens' logits. Topic: per document, summed logits.
        float[][][] nerLogits = null;
        double[][] topicSums = null;
        int sequences = 0;
        int buckets = 0;
        long realTokens = 0;
        long paddedTokens = 0;
        long nanos = 0;
        for (int ri = 0; ri < runtimes.length; ri++) {
            BundleRuntime rt = runtimes[ri];
            EncodedText[] texts = new EncodedText[docs];
            for (int d = 0; d < docs; d++) {
                texts[d] = encoded[d].perRuntime[ri];
            }
            BucketPlan plan = planner.plan(texts, laneIds.length);
            try (LaneOutputs outs = executor.run(lanes(ri, laneIds), plan, texts)) {
                nanos += outs.nanos();
                if (ri == nerIndex) {
                    nerLogits =
                            decoder.nerLogits(plan, outs, texts, rt.bundle.ner().output(), rt.tokenizer.prefixLength());
                }
                if (ri == topicIndex) {
                    topicSums = decoder.topicSums(
                            plan, outs, docs, rt.bundle.topic().output());
                }
            }
            sequences += plan.rows();
            buckets += plan.buckets().size();
            realTokens += plan.realTokens();
            paddedTokens += plan.paddedTokens();
        }
        int lane = laneIds[0]; // a call decodes with its first lane's scratch
        List<Enrichment> results = new ArrayList<>(docs);
        for (int d = 0; d < docs; d++) {
            List<Entity> entities =
                    ner != null ? decoder.entities(lane, encoded[d].perRuntime[nerIndex], nerLogits[d]) : null;
            TopicPrediction tp =
                    topic != null ? decoder.topic(topicSums[d], encoded[d].perRuntime[topicIndex].windowCount()) : null;
            results.add(new Enrichment(entities, tp));
        }
        return new BatchResult(
                results, new BatchStats(docs, sequences, buckets, realTokens, paddedTokens, nanos, laneIds.length));
    }

    /** Bundle {@code ri}'s sessions for the given lanes. */
    private BundleRuntime[] lanes(int ri, int[] laneIds) {
        BundleRuntime[] lane = new BundleRuntime[laneIds.length];
        for (int k = 0; k < laneIds.length; k++) {
            lane[k] = loaded.lanes()[ri][laneIds[k]];
        }
        return lane;
    }

    @Override
    public String nerModel() {
        return ner != null ? ner.bundle.id() : null;
    }

    @Override
    public String topicModel() {
        return topic != null ? topic.bundle.id() : null;
    }

    /** The bundle serving NER, or null. */
    public ModelBundle nerBundle() {
        return ner != null ? ner.bundle : null;
    }

    /** The bundle serving topics, or null. */
    public ModelBundle topicBundle() {
        return topic != null ? topic.bundle : null;
    }

    /** The device the sessions run on (AUTO resolved). */
    public Device device() {
        return loaded.device();
    }

    /** Longest window (tokens, specials included) any bundle feeds: the most one row can cost. */
    public int maxSequenceLength() {
        int m = 0;
        for (BundleRuntime rt : runtimes) {
            m = Math.max(m, rt.bundle.maxLength());
        }
        return m;
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            executor.close();
            loaded.close();
        } finally {
            lifecycle.writeLock().unlock();
        }
    }
}
