package io.streamnlp.inference;

import ai.onnxruntime.OrtEnvironment;
import io.streamnlp.api.Enrichment;
import io.streamnlp.api.Entity;
import io.streamnlp.api.TopicPrediction;
import io.streamnlp.decode.Aggregation;
import io.streamnlp.decode.SpanDecoder;
import io.streamnlp.decode.TopicDecoder;
import io.streamnlp.decode.WordLabeler;
import io.streamnlp.model.ModelBundle;
import io.streamnlp.tokenize.EncodedText;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link EnrichmentEngine} on ONNX Runtime: one session per distinct bundle folder, length-bucketed
 * batches padded only to each bucket's longest window, windows merged back per document.
 *
 * <p>Threads: {@link #encode} is thread-safe and may run on any thread, also while inference runs (it only
 * reads the tokenizers). Each lane (a set of sessions, one per bundle, with its own buffers and decoding
 * scratch) serves one call at a time: {@link #infer(List, int[])} calls on disjoint lanes may run in parallel;
 * {@link #infer(List)} uses every lane. {@link #close} waits for running calls.
 */
public final class OnnxEnrichmentEngine implements EnrichmentEngine {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxEnrichmentEngine.class);
    /** Most documents in one batch: runBundle packs (length, document, window) into one long, 21 bits for the document. */
    public static final int MAX_BATCH_DOCUMENTS = 1 << 21;
    /** Most windows of one document, for the same reason (21 bits for the window). */
    public static final int MAX_DOCUMENT_WINDOWS = 1 << 21;

    /** A bucket closes when adding a row would make more than this share of its tokens padding. */
    private static final double MAX_PADDING_WASTE = 0.10;

    private final BundleRuntime[] runtimes;
    /** Per runtime, the sessions a bucket's rows are spread over: [0] is the runtime itself, the rest replicas. */
    private final BundleRuntime[][] lanes;
    /** Runs lanes 1.. while the calling thread runs lane 0; null with one lane. */
    private final java.util.concurrent.ExecutorService lanePool;
    private final BundleRuntime ner;
    private final BundleRuntime topic;
    private final int nerIndex;
    private final int topicIndex;
    private final int maxBucketRows;
    private final Device device;
    private final SpanDecoder spanDecoder;
    private final TopicDecoder topicDecoder;
    private final int nerLabels;
    private final int topicLabels;
    /** Decoding scratch per lane, reused across batches: a call decodes with its first lane's. */
    private final Scratch[] scratch;
    private final int[] allLanes;
    private volatile boolean closed;
    /** encode/infer hold the read side, close the write side: native tokenizers and sessions are never freed in use. */
    private final java.util.concurrent.locks.ReentrantReadWriteLock lifecycle = new java.util.concurrent.locks.ReentrantReadWriteLock();

    private OnnxEnrichmentEngine(List<BundleRuntime> runtimes, List<List<BundleRuntime>> lanes, int nerIndex, int topicIndex,
                                 EngineOptions options, Device device) {
        this.runtimes = runtimes.toArray(new BundleRuntime[0]);
        this.lanes = new BundleRuntime[this.runtimes.length][];
        for (int i = 0; i < this.runtimes.length; i++) {
            this.lanes[i] = lanes.get(i).toArray(new BundleRuntime[0]);
        }
        int extra = this.lanes.length == 0 ? 0 : this.lanes[0].length - 1;
        this.lanePool = extra <= 0 ? null : java.util.concurrent.Executors.newFixedThreadPool(extra, r -> {
            Thread t = new Thread(r, "inference-lane");
            t.setDaemon(true);
            return t;
        });
        this.nerIndex = nerIndex;
        this.topicIndex = topicIndex;
        this.ner = nerIndex >= 0 ? this.runtimes[nerIndex] : null;
        this.topic = topicIndex >= 0 ? this.runtimes[topicIndex] : null;
        this.maxBucketRows = options.maxBucketRows();
        this.device = device;
        int laneCount = this.lanes.length == 0 ? 1 : this.lanes[0].length;
        this.allLanes = new int[laneCount];
        this.scratch = new Scratch[laneCount];
        Aggregation agg = null;
        if (ner != null) {
            ModelBundle.Task task = ner.bundle.ner();
            agg = options.aggregation() != null ? options.aggregation() : task.aggregation();
            this.nerLabels = task.labels().size();
            this.spanDecoder = new SpanDecoder(task.labels(), task.scheme());
        } else {
            this.nerLabels = 0;
            this.spanDecoder = null;
        }
        for (int i = 0; i < laneCount; i++) {
            allLanes[i] = i;
            scratch[i] = new Scratch(ner != null ? new WordLabeler(nerLabels, agg) : null);
        }
        if (topic != null) {
            this.topicLabels = topic.bundle.topic().labels().size();
            this.topicDecoder = new TopicDecoder(topic.bundle.topic().labels());
        } else {
            this.topicLabels = 0;
            this.topicDecoder = null;
        }
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
        if (sessions < 0) {
            throw new IllegalArgumentException("sessions must be >= 0 (0: auto), got " + sessions);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        int cpuLanes = sessions > 0 ? sessions : Math.max(1, Math.min(cores, 4));
        OrtEnvironment env = environment();
        SessionFactory factory = new SessionFactory(env, options);
        if (cpuLanes > 1 && options.intraOpThreads() == 0) {
            factory.cpuIntraOpThreads(Math.max(1, cores / cpuLanes));
        }
        List<BundleRuntime> runtimes = new ArrayList<>();
        List<List<BundleRuntime>> lanes = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        try {
            int nerIndex = options.nerBundle() == null ? -1 : runtime(options.nerBundle(), env, factory, runtimes, dirs);
            int topicIndex = options.topicBundle() == null ? -1 : runtime(options.topicBundle(), env, factory, runtimes, dirs);
            for (int i = 0; i < runtimes.size(); i++) {
                runtimes.get(i).enable(i == nerIndex, i == topicIndex);
                runtimes.get(i).selfCheck();
            }
            int laneCount = factory.resolved() == Device.CUDA ? Math.max(1, sessions) : cpuLanes;
            for (BundleRuntime rt : runtimes) {
                List<BundleRuntime> l = new ArrayList<>();
                l.add(rt);
                lanes.add(l);
                for (int k = 1; k < laneCount; k++) {
                    l.add(rt.replica(factory));
                }
            }
            OnnxEnrichmentEngine engine = new OnnxEnrichmentEngine(runtimes, lanes, nerIndex, topicIndex, options, factory.resolved());
            LOG.info("enrichment engine on {}: ner={} topic={}, {} session(s) per bundle", engine.device, engine.nerModel(),
                    engine.topicModel(), laneCount);
            return engine;
        } catch (RuntimeException e) {
            for (List<BundleRuntime> l : lanes) {
                for (int k = 1; k < l.size(); k++) {
                    l.get(k).close();
                }
            }
            runtimes.forEach(BundleRuntime::close);
            throw e;
        }
    }

    /**
     * The ORT environment, created on a thread with an 8 MiB stack: onnxruntime 1.29 segfaults creating it on a
     * 1 MiB stack when the java command line is long (over ~4 KB; the version is pinned to 1.28.0 in pom.xml for
     * this); harmless insurance on 1.28.
     */
    private static OrtEnvironment environment() {
        OrtEnvironment[] env = new OrtEnvironment[1];
        Throwable[] error = new Throwable[1];
        Thread t = new Thread(null, () -> {
            try {
                env[0] = OrtEnvironment.getEnvironment();
            } catch (Throwable e) {
                error[0] = e;
            }
        }, "ort-environment", 8L << 20);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating the ONNX Runtime environment", e);
        }
        if (error[0] != null) {
            throw new IllegalStateException("cannot create the ONNX Runtime environment: " + error[0], error[0]);
        }
        return env[0];
    }

    private static int runtime(Path dir, OrtEnvironment env, SessionFactory sessions, List<BundleRuntime> runtimes,
                               List<Path> dirs) {
        Path key = canonical(dir);
        int at = dirs.indexOf(key);
        if (at >= 0) {
            return at;
        }
        runtimes.add(BundleRuntime.open(env, sessions, dir));
        dirs.add(key);
        return runtimes.size() - 1;
    }

    private static Path canonical(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            return dir.toAbsolutePath().normalize();
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
                throw new IllegalArgumentException("lanes must be distinct and in [0, " + allLanes.length + "): "
                        + Arrays.toString(laneIds));
            }
            seen[l] = true;
        }
    }

    private BatchResult inferOpen(List<? extends EncodedDocument> documents, int[] laneIds) {
        int docs = documents.size();
        if (docs > MAX_BATCH_DOCUMENTS) { // the packed keys would mix documents up (BatchPolicy bounds batch.max.records)
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
        float[][][] nerLogits = ner != null ? new float[docs][][] : null;
        double[][] topicSums = topic != null ? new double[docs][] : null;
        Stats stats = new Stats();
        for (int ri = 0; ri < runtimes.length; ri++) {
            runBundle(ri, laneIds, encoded, nerLogits, topicSums, stats);
        }
        Scratch sc = scratch[laneIds[0]];
        List<Enrichment> results = new ArrayList<>(docs);
        for (int d = 0; d < docs; d++) {
            List<Entity> entities = ner != null ? entities(sc, encoded[d].perRuntime[nerIndex], nerLogits[d]) : null;
            TopicPrediction tp = topic != null
                    ? topicDecoder.predict(topicSums[d], encoded[d].perRuntime[topicIndex].windowCount()) : null;
            results.add(new Enrichment(entities, tp));
        }
        return new BatchResult(results, new BatchStats(docs, stats.sequences, stats.buckets, stats.realTokens,
                stats.paddedTokens, stats.nanos, laneIds.length));
    }

    private static final class Stats {
        int sequences;
        int buckets;
        long realTokens;
        long paddedTokens;
        long nanos;
    }

    /** Per lane: the word-level decoding state {@link #entities} reuses. */
    private static final class Scratch {
        final WordLabeler labeler;
        int[] wordLabel = new int[256];
        double[] wordProb = new double[256];

        Scratch(WordLabeler labeler) {
            this.labeler = labeler;
        }
    }

    /** Runs all windows of all documents through one bundle on the given lanes, bucket by bucket. */
    private void runBundle(int ri, int[] laneIds, OnnxEncodedDocument[] docs, float[][][] nerLogits, double[][] topicSums,
                           Stats stats) {
        BundleRuntime rt = runtimes[ri];
        boolean doNer = ri == nerIndex;
        boolean doTopic = ri == topicIndex;
        int rows = 0;
        for (OnnxEncodedDocument doc : docs) {
            rows += doc.perRuntime[ri].windowCount();
        }
        // (length, doc, window) packed in one long so sorting allocates no objects
        long[] keys = new long[rows];
        int r = 0;
        for (int d = 0; d < docs.length; d++) {
            EncodedText et = docs[d].perRuntime[ri];
            if (doNer) {
                nerLogits[d] = new float[et.windowCount()][];
            }
            if (doTopic) {
                topicSums[d] = new double[topicLabels];
            }
            for (int k = 0; k < et.windowCount(); k++) {
                keys[r++] = ((long) et.windowLength(k) << 42) | ((long) d << 21) | k;
            }
        }
        Arrays.sort(keys);
        int prefix = rt.tokenizer.prefixLength();
        // 1. buckets: grow while padding waste stays under the limit (rows are sorted: the last is longest);
        //    each bucket's rows are then split into one part per lane (same width: no extra padding)
        BundleRuntime[] lane = new BundleRuntime[laneIds.length];
        for (int k = 0; k < laneIds.length; k++) {
            lane[k] = lanes[ri][laneIds[k]];
        }
        List<int[]> parts = new ArrayList<>(); // {from, count, width}
        int start = 0;
        while (start < rows) {
            int end = start + 1;
            long real = length(keys[start]);
            while (end < rows && end - start < maxBucketRows) {
                long len = length(keys[end]);
                long padded = len * (end - start + 1);
                if ((double) (padded - real - len) / padded > MAX_PADDING_WASTE) {
                    break;
                }
                real += len;
                end++;
            }
            int count = end - start;
            int width = length(keys[end - 1]);
            int per = (count + lane.length - 1) / lane.length;
            for (int f = start; f < end; f += per) {
                parts.add(new int[] {f, Math.min(per, end - f), width});
            }
            stats.buckets++;
            stats.sequences += count;
            stats.realTokens += real;
            stats.paddedTokens += (long) count * width;
            start = end;
        }
        // 2. assign parts to lanes, largest first, each to the least loaded lane; run the lanes in parallel
        List<List<Integer>> byLane = new ArrayList<>();
        long[] load = new long[lane.length];
        for (int k = 0; k < lane.length; k++) {
            byLane.add(new ArrayList<>());
        }
        Integer[] order = new Integer[parts.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(cost(parts.get(b)), cost(parts.get(a))));
        for (int i : order) {
            int best = 0;
            for (int k = 1; k < lane.length; k++) {
                if (load[k] < load[best]) {
                    best = k;
                }
            }
            byLane.get(best).add(i);
            load[best] += cost(parts.get(i));
        }
        BundleRuntime.Output[] outs = new BundleRuntime.Output[parts.size()];
        long t0 = System.nanoTime();
        try {
            List<java.util.concurrent.Future<?>> running = new ArrayList<>();
            for (int k = 1; k < lane.length; k++) {
                if (!byLane.get(k).isEmpty()) {
                    BundleRuntime lrt = lane[k];
                    List<Integer> mine = byLane.get(k);
                    running.add(lanePool.submit(() -> runParts(lrt, ri, docs, keys, parts, mine, outs)));
                }
            }
            RuntimeException failure = null;
            try {
                runParts(lane[0], ri, docs, keys, parts, byLane.get(0), outs);
            } catch (RuntimeException e) {
                failure = e;
            }
            // Every lane's run is waited for, interrupt or not: giving up early would let the caller free lanes whose
            // sessions are still running and leave their outputs unclosed. An interrupt is kept for the caller to see
            // and is no failure of the batch (its results are complete).
            boolean interrupted = false;
            for (java.util.concurrent.Future<?> f : running) {
                while (true) {
                    try {
                        f.get();
                        break;
                    } catch (java.util.concurrent.ExecutionException e) {
                        if (failure == null) {
                            failure = e.getCause() instanceof RuntimeException re ? re
                                    : new InferenceException(e.getCause().toString(), e.getCause());
                        }
                        break;
                    } catch (java.util.concurrent.CancellationException e) {
                        if (failure == null) {
                            failure = new EngineFailureException("an inference lane was cancelled (engine closing)", e);
                        }
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            stats.nanos += System.nanoTime() - t0;
            if (failure != null) {
                throw failure;
            }
            // 3. results, in part order, on the calling thread
            for (int pi = 0; pi < parts.size(); pi++) {
                int from = parts.get(pi)[0];
                int count = parts.get(pi)[1];
                int width = parts.get(pi)[2];
                BundleRuntime.Output out = outs[pi];
                if (doNer) {
                    FloatBuffer fb = out.floats(rt.bundle.ner().output());
                    for (int i = 0; i < count; i++) {
                        long key = keys[from + i];
                        EncodedText et = docs[doc(key)].perRuntime[ri];
                        int k = window(key);
                        float[] logits = new float[(et.windowEnd(k) - et.windowStart(k)) * nerLabels];
                        fb.position((i * width + prefix) * nerLabels);
                        fb.get(logits);
                        nerLogits[doc(key)][k] = logits;
                    }
                }
                if (doTopic) {
                    FloatBuffer fb = out.floats(rt.bundle.topic().output());
                    for (int i = 0; i < count; i++) {
                        double[] sum = topicSums[doc(keys[from + i])];
                        for (int j = 0; j < topicLabels; j++) {
                            sum[j] += fb.get(i * topicLabels + j);
                        }
                    }
                }
            }
        } finally {
            for (BundleRuntime.Output o : outs) {
                if (o != null) {
                    o.close();
                }
            }
        }
    }

    /** Padded rows x width x (width + 64): a bucket's cost, attention included. */
    private static long cost(int[] part) {
        return (long) part[1] * part[2] * (part[2] + 64);
    }

    /** Runs the given parts on one lane's session, leaving each output in {@code outs}. */
    private static void runParts(BundleRuntime rt, int ri, OnnxEncodedDocument[] docs, long[] keys, List<int[]> parts,
                                 List<Integer> mine, BundleRuntime.Output[] outs) {
        for (int pi : mine) {
            final int from = parts.get(pi)[0];
            BundleRuntime.Rows content = (row, buf) -> {
                long key = keys[from + row];
                EncodedText et = docs[doc(key)].perRuntime[ri];
                int k = window(key);
                buf.put(et.ids(), et.windowStart(k), et.windowEnd(k) - et.windowStart(k));
            };
            outs[pi] = rt.run(content, parts.get(pi)[1], parts.get(pi)[2]);
        }
    }

    private static int length(long key) {
        return (int) (key >>> 42);
    }

    private static int doc(long key) {
        return (int) ((key >>> 21) & 0x1FFFFF);
    }

    private static int window(long key) {
        return (int) (key & 0x1FFFFF);
    }

    /** Labels each word from its best window ({@link EncodedText#bestWindow}), then groups words into entities. */
    private List<Entity> entities(Scratch sc, EncodedText et, float[][] windowLogits) {
        int words = et.wordCount();
        if (sc.wordLabel.length < words) {
            sc.wordLabel = new int[Math.max(words, sc.wordLabel.length * 2)];
            sc.wordProb = new double[sc.wordLabel.length];
        }
        int[] wordLabel = sc.wordLabel;
        double[] wordProb = sc.wordProb;
        for (int w = 0; w < words; w++) {
            int a = et.wordTokenStart(w);
            int best = et.bestWindow(w);
            int ws = et.windowStart(best);
            int tokens = Math.min(et.wordTokenEnd(w), et.windowEnd(best)) - a;
            wordLabel[w] = sc.labeler.decide(windowLogits[best], (a - ws) * nerLabels, tokens);
            wordProb[w] = sc.labeler.probability();
        }
        return spanDecoder.decode(et.text(), words, wordLabel, wordProb, et.wordStarts(), et.wordEnds());
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
        return device;
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
            if (lanePool != null) {
                lanePool.shutdownNow();
            }
            for (BundleRuntime[] l : lanes) {
                for (int k = 1; k < l.length; k++) {
                    l[k].close();
                }
            }
            for (BundleRuntime rt : runtimes) {
                rt.close();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }
}
