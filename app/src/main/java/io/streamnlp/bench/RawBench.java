package io.streamnlp.bench;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.streamnlp.model.GraphSignature;
import io.streamnlp.model.ModelBundle;
import io.streamnlp.model.ModelBundleReader;
import io.streamnlp.tokenize.EncodedText;
import io.streamnlp.tokenize.WindowingTokenizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * ONNX Runtime alone, no Kafka: the texts tokenized once up front, cut into batches with the batch policy
 * ({@code maxRecords} records / {@code maxTokens} tokens, in arrival order, as the coordinator does), each
 * batch either length-sorted and bucketed as the engine does (padding each bucket only to its own longest
 * window, a bucket closes past 10% padding) or unsorted (chunks of the batch padded to their longest), fed
 * straight into one or more sessions. What it measures is the ceiling the pipeline is compared with.
 */
public final class RawBench implements AutoCloseable {
    /** The engine's bucket rule (OnnxEnrichmentEngine.MAX_PADDING_WASTE). */
    static final double MAX_PADDING_WASTE = 0.10;

    /** One grid point. {@code maxRecords} is Integer.MAX_VALUE for a token-budget-only batch. */
    public record Config(String batch, int maxRecords, int maxTokens, boolean sorted, int threads, int sessions) {
        public String label() {
            return String.format("batch=%-6s %-8s intra=%d sessions=%d", batch, sorted ? "sorted" : "unsorted", threads, sessions);
        }
    }

    /** One measurement: documents and real tokens per second, padded/real tokens, mean documents per batch. */
    public record Result(Config config, double docsPerSec, double tokensPerSec, double paddingRatio, double meanBatch) {}

    private record Bucket(long[] ids, int rows, int width) {}

    private final Path bundleDir;
    private final ModelBundle bundle;
    private final WindowingTokenizer tokenizer;
    private final List<EncodedText> docs = new ArrayList<>();
    private final long realTokens;
    private final double tokenizeDocsPerSec;
    private final int maxBucketRows;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final Set<String> outputs = new LinkedHashSet<>();
    private final boolean cuda;

    /** @param cuda run the sessions on CUDA (inference.device=cuda), else on CPU */
    public RawBench(Path bundleDir, List<String> texts, int maxBucketRows, boolean cuda) {
        this.bundleDir = bundleDir;
        this.cuda = cuda;
        this.maxBucketRows = maxBucketRows;
        GraphSignature sig;
        try (OrtSession probe = open(1)) {
            sig = signature(probe);
        } catch (OrtException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        this.bundle = ModelBundleReader.read(bundleDir, sig);
        if (bundle.ner() != null) {
            outputs.add(bundle.ner().output());
        }
        if (bundle.topic() != null) {
            outputs.add(bundle.topic().output());
        }
        this.tokenizer = new WindowingTokenizer(bundle.tokenizerFile(), bundle.maxLength(), bundle.stride());
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
        return bundle;
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
        List<List<Bucket>> batches = plan(c);
        long padded = 0;
        for (List<Bucket> b : batches) {
            for (Bucket k : b) {
                padded += (long) k.rows * k.width;
            }
        }
        OrtSession[] sessions = new OrtSession[c.sessions()];
        try {
            for (int i = 0; i < sessions.length; i++) {
                sessions[i] = open(c.threads());
                Worker warm = new Worker(sessions[i]);
                for (int w = 0; w < Math.min(3, batches.size()); w++) {
                    warm.run(batches.get(w));
                }
            }
            AtomicInteger next = new AtomicInteger();
            AtomicReference<Exception> failure = new AtomicReference<>();
            long t0 = System.nanoTime();
            List<Thread> threads = new ArrayList<>();
            for (OrtSession s : sessions) {
                Worker w = new Worker(s);
                Thread t = new Thread(() -> {
                    try {
                        for (int i = next.getAndIncrement(); i < batches.size(); i = next.getAndIncrement()) {
                            w.run(batches.get(i));
                        }
                    } catch (Exception e) {
                        failure.compareAndSet(null, e);
                    }
                }, "raw-bench");
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
            return new Result(c, docs.size() / secs, realTokens / secs, (double) padded / realTokens,
                    (double) docs.size() / batches.size());
        } finally {
            for (OrtSession s : sessions) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }

    /** The batch policy, then per batch the bucketing, as padded id matrices. */
    private List<List<Bucket>> plan(Config c) {
        List<List<Bucket>> batches = new ArrayList<>();
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
            batches.add(buckets(docs.subList(start, i), c.sorted()));
        }
        return batches;
    }

    private List<Bucket> buckets(List<EncodedText> batch, boolean sorted) {
        List<long[]> rows = new ArrayList<>();
        for (EncodedText e : batch) {
            for (int k = 0; k < e.windowCount(); k++) {
                long[] row = new long[e.windowLength(k)];
                long[] pre = tokenizer.prefix();
                long[] suf = tokenizer.suffix();
                int n = e.windowEnd(k) - e.windowStart(k);
                System.arraycopy(pre, 0, row, 0, pre.length);
                System.arraycopy(e.ids(), e.windowStart(k), row, pre.length, n);
                System.arraycopy(suf, 0, row, pre.length + n, suf.length);
                rows.add(row);
            }
        }
        List<Bucket> out = new ArrayList<>();
        if (sorted) {
            rows.sort((a, b) -> Integer.compare(a.length, b.length));
            int s = 0;
            while (s < rows.size()) {
                int end = s + 1;
                long real = rows.get(s).length;
                while (end < rows.size() && end - s < maxBucketRows) {
                    long len = rows.get(end).length;
                    long padded = len * (end - s + 1);
                    if ((double) (padded - real - len) / padded > MAX_PADDING_WASTE) {
                        break;
                    }
                    real += len;
                    end++;
                }
                out.add(pad(rows.subList(s, end)));
                s = end;
            }
        } else {
            for (int s = 0; s < rows.size(); s += maxBucketRows) {
                out.add(pad(rows.subList(s, Math.min(rows.size(), s + maxBucketRows))));
            }
        }
        return out;
    }

    private Bucket pad(List<long[]> rows) {
        int width = 0;
        for (long[] r : rows) {
            width = Math.max(width, r.length);
        }
        long[] ids = new long[rows.size() * width];
        Arrays.fill(ids, tokenizer.padId());
        for (int r = 0; r < rows.size(); r++) {
            System.arraycopy(rows.get(r), 0, ids, r * width, rows.get(r).length);
        }
        return new Bucket(ids, rows.size(), width);
    }

    /** One session's runner with reused direct input buffers (as the engine's BundleRuntime). */
    private final class Worker {
        private final OrtSession session;
        private final boolean mask = bundle.inputs().contains("attention_mask");
        private final boolean types = bundle.inputs().contains("token_type_ids");
        private final boolean positions = bundle.inputs().contains("position_ids");
        private LongBuffer ids;
        private LongBuffer maskBuf;
        private LongBuffer typeBuf;
        private LongBuffer posBuf;

        Worker(OrtSession session) {
            this.session = session;
        }

        void run(List<Bucket> batch) throws OrtException {
            long pad = tokenizer.padId();
            for (Bucket b : batch) {
                int n = b.rows * b.width;
                ids = buffer(ids, n);
                ids.put(b.ids);
                if (mask) {
                    maskBuf = buffer(maskBuf, n);
                    for (long id : b.ids) {
                        maskBuf.put(id == pad ? 0L : 1L);
                    }
                }
                if (types) {
                    typeBuf = buffer(typeBuf, n);
                    for (int j = 0; j < n; j++) {
                        typeBuf.put(0L);
                    }
                }
                if (positions) {
                    posBuf = buffer(posBuf, n);
                    for (int r = 0; r < b.rows; r++) {
                        for (int j = 0; j < b.width; j++) {
                            posBuf.put(j);
                        }
                    }
                }
                long[] shape = {b.rows, b.width};
                Map<String, OnnxTensor> in = new HashMap<>();
                try {
                    in.put("input_ids", tensor(ids, shape));
                    if (mask) {
                        in.put("attention_mask", tensor(maskBuf, shape));
                    }
                    if (types) {
                        in.put("token_type_ids", tensor(typeBuf, shape));
                    }
                    if (positions) {
                        in.put("position_ids", tensor(posBuf, shape));
                    }
                    try (OrtSession.Result r = session.run(in, outputs)) {
                        r.get(0); // outputs materialised by run; closing the result frees them
                    }
                } finally {
                    in.values().forEach(OnnxTensor::close);
                }
            }
        }

        private OnnxTensor tensor(LongBuffer buf, long[] shape) throws OrtException {
            buf.flip();
            return OnnxTensor.createTensor(env, buf, shape);
        }
    }

    private static LongBuffer buffer(LongBuffer buf, int n) {
        if (buf == null || buf.capacity() < n) {
            buf = ByteBuffer.allocateDirect(Math.max(n, 4096) * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
        }
        buf.clear();
        return buf;
    }

    /** A session as the engine's SessionFactory opens one (all graph optimisations), with {@code threads} intra-op threads. */
    private OrtSession open(int threads) throws OrtException {
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setIntraOpNumThreads(threads);
            so.setInterOpNumThreads(1);
            if (cuda) {
                so.addCUDA(0);
            }
            return env.createSession(bundleDir.resolve(ModelBundle.MODEL).toString(), so);
        }
    }

    private static GraphSignature signature(OrtSession session) throws OrtException {
        List<String> inputs = new ArrayList<>(session.getInputNames());
        Map<String, long[]> outs = new LinkedHashMap<>();
        for (Map.Entry<String, NodeInfo> e : session.getOutputInfo().entrySet()) {
            if (e.getValue().getInfo() instanceof TensorInfo ti) {
                outs.put(e.getKey(), ti.getShape());
            }
        }
        return new GraphSignature(inputs, outs);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
