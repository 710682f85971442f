package io.streamnlp.bench;

import io.streamnlp.api.engine.Device;
import io.streamnlp.inference.BucketPlan;
import io.streamnlp.inference.BucketPlanner;
import io.streamnlp.inference.BundleRuntime;
import io.streamnlp.inference.EngineLoader;
import io.streamnlp.inference.EngineOptions;
import io.streamnlp.inference.LaneExecutor;
import io.streamnlp.inference.LaneOutputs;
import io.streamnlp.model.ModelBundle;
import io.streamnlp.tokenize.EncodedText;
import io.streamnlp.tokenize.WindowingTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * ONNX Runtime alone, no Kafka: the texts tokenized once up front, cut into batches with the batch policy
 * ({@code maxRecords} records / {@code maxTokens} tokens, in arrival order, as the coordinator does), each
 * batch either planned as the engine plans it ({@link BucketPlanner}: length-sorted buckets padded only to their
 * own longest window) or unsorted (chunks of the batch padded to their longest), fed straight into one or more
 * sessions the way the engine feeds its lanes ({@link LaneExecutor}). What it measures is the ceiling the pipeline
 * is compared with.
 */
public final class RawBench implements AutoCloseable {
    /** One grid point. {@code maxRecords} is Integer.MAX_VALUE for a token-budget-only batch. */
    public record Config(String batch, int maxRecords, int maxTokens, boolean sorted, int threads, int sessions) {
        public String label() {
            return String.format(
                    "batch=%-6s %-8s intra=%d sessions=%d", batch, sorted ? "sorted" : "unsorted", threads, sessions);
        }
    }

    /** One measurement: documents and real tokens per second, padded/real tokens, mean documents per batch. */
    public record Result(
            Config config, double docsPerSec, double tokensPerSec, double paddingRatio, double meanBatch) {}

    /** One batch: its documents' encodings and their plan. */
    private record Batch(EncodedText[] texts, BucketPlan plan) {}

    private final Path bundleDir;
    /** The bundle opened as the engine opens it (tokenizer with the bundle's lowercase and windowing); its session only checks. */
    private final BundleRuntime primary;

    private final List<EncodedText> docs = new ArrayList<>();
    private final long realTokens;
    private final double tokenizeDocsPerSec;
    private final int maxBucketRows;
    private final BucketPlanner planner;
    private final boolean cuda;

    /** @param cuda run the sessions on CUDA (inference.device=cuda), else on CPU */
    public RawBench(Path bundleDir, List<String> texts, int maxBucketRows, boolean cuda) {
        this.bundleDir = bundleDir;
        this.cuda = cuda;
        this.maxBucketRows = maxBucketRows;
        this.planner = new BucketPlanner(maxBucketRows);
        this.primary = EngineLoader.open(bundleDir, sessionOptions(1));
        WindowingTokenizer tokenizer = primary.tokenizer();
        long real = 0;
        for (String t : texts) { // warm-up pass, then the timed one (the kept encodings)
            tokenizer.encode(t);
        }
        long t0 = System.nanoTime();
        for (String t : texts) {
            EncodedText e = tokenizer.encode(t);
            docs.add(e);
            real += e.tokenCount();
        }
        this.tokenizeDocsPerSec = texts.size() / Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
        this.realTokens = real;
    }

    public ModelBundle bundle() {
        return primary.bundle();
    }

    /** Real tokens (windows with their special tokens, no padding) of each text, in order. */
    public int[] tokenCounts() {
        int[] n = new int[docs.size()];
        for (int i = 0; i < n.length; i++) {
            n[i] = docs.get(i).tokenCount();
        }
        return n;
    }

    public long realTokens() {
        return realTokens;
    }

    /** Tokenization (with windowing) alone, one thread: what the stream thread pays per text before inference. */
    public double tokenizeDocsPerSec() {
        return tokenizeDocsPerSec;
    }

    /** Runs every batch of the corpus once under {@code c}; sessions are opened (and warmed) before the clock starts. */
    public Result run(Config c) throws Exception {
        List<Batch> batches = plan(c);
        long padded = 0;
        for (Batch b : batches) {
            padded += b.plan().paddedTokens();
        }
        BundleRuntime[] sessions = new BundleRuntime[c.sessions()];
        try (LaneExecutor lane = new LaneExecutor(1)) { // one session per batch: no lane threads
            for (int i = 0; i < sessions.length; i++) {
                sessions[i] = EngineLoader.replica(primary, sessionOptions(c.threads()));
                for (int w = 0; w < Math.min(3, batches.size()); w++) {
                    run(lane, sessions[i], batches.get(w));
                }
            }
            AtomicInteger next = new AtomicInteger();
            AtomicReference<Exception> failure = new AtomicReference<>();
            long t0 = System.nanoTime();
            List<Thread> threads = new ArrayList<>();
            for (BundleRuntime s : sessions) {
                Thread t = new Thread(
                        () -> {
                            try {
                                for (int i = next.getAndIncrement(); i < batches.size(); i = next.getAndIncrement()) {
                                    run(lane, s, batches.get(i));
                                }
                            } catch (Exception e) {
                                failure.compareAndSet(null, e);
                            }
                        },
                        "raw-bench");
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            if (failure.get() != null) {
                throw failure.get();
            }
            return new Result(
                    c,
                    docs.size() / secs,
                    realTokens / secs,
                    (double) padded / realTokens,
                    (double) docs.size() / batches.size());
        } finally {
            for (BundleRuntime s : sessions) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }

    /** One batch's buckets through one session, the outputs fetched and dropped. */
    private static void run(LaneExecutor lane, BundleRuntime session, Batch b) {
        try (LaneOutputs outs = lane.run(new BundleRuntime[] {session}, b.plan(), b.texts())) {
            // outputs materialised by run; closing frees them
        }
    }

    /** The batch policy, then per batch the bucket plan. */
    private List<Batch> plan(Config c) {
        List<Batch> batches = new ArrayList<>();
        int i = 0;
        while (i < docs.size()) {
            int start = i;
            long tokens = 0;
            while (i < docs.size() && i - start < c.maxRecords()) {
                int t = docs.get(i).tokenCount();
                if (i > start && tokens + t > c.maxTokens()) {
                    break;
                }
                tokens += t;
                i++;
            }
            EncodedText[] texts = docs.subList(start, i).toArray(new EncodedText[0]);
            batches.add(new Batch(texts, c.sorted() ? planner.plan(texts, 1) : planner.planInArrivalOrder(texts)));
        }
        return batches;
    }

    /**
     * Sessions as the engine's opens them (all graph optimisations) on the bench's device, with {@code threads}
     * intra-op threads and one inter-op thread.
     */
    private EngineOptions sessionOptions(int threads) {
        return new EngineOptions(
                bundleDir, bundleDir, cuda ? Device.CUDA : Device.CPU, threads, 1, null, maxBucketRows);
    }

    @Override
    public void close() {
        primary.close();
    }
}
