package io.streamnlp.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.streamnlp.model.BundleException;
import io.streamnlp.model.GraphSignature;
import io.streamnlp.model.ModelBundle;
import io.streamnlp.model.ModelBundleReader;
import io.streamnlp.tokenize.WindowingTokenizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One bundle folder opened: its ORT session, its tokenizer and the reused input buffers. Serves NER, topics
 * or both from one forward pass. Opened by {@link EngineLoader}; runs one bucket at a time ({@link #run}), fed by
 * {@link LaneExecutor}.
 */
public final class BundleRuntime implements AutoCloseable {
    final ModelBundle bundle;
    final OrtSession session;
    final WindowingTokenizer tokenizer;
    /** Outputs to fetch per run: the enabled tasks' outputs. */
    final Set<String> outputs = new LinkedHashSet<>();

    boolean servesNer;
    boolean servesTopic;

    private final OrtEnvironment env;
    private final boolean feedMask;
    private final boolean feedTypes;
    private final boolean feedPositions;
    private LongBuffer ids;
    private LongBuffer mask;
    private LongBuffer types;
    private LongBuffer positions;

    /** False for a replica: it shares the primary's tokenizer, which the primary closes. */
    private final boolean ownsTokenizer;

    private BundleRuntime(OrtEnvironment env, ModelBundle bundle, OrtSession session, WindowingTokenizer tokenizer) {
        this(env, bundle, session, tokenizer, true);
    }

    private BundleRuntime(
            OrtEnvironment env,
            ModelBundle bundle,
            OrtSession session,
            WindowingTokenizer tokenizer,
            boolean ownsTokenizer) {
        this.ownsTokenizer = ownsTokenizer;
        this.env = env;
        this.bundle = bundle;
        this.session = session;
        this.tokenizer = tokenizer;
        this.feedMask = bundle.inputs().contains("attention_mask");
        this.feedTypes = bundle.inputs().contains("token_type_ids");
        this.feedPositions = bundle.inputs().contains("position_ids");
    }

    /** The bundle's description. */
    public ModelBundle bundle() {
        return bundle;
    }

    /** The bundle's tokenizer (a replica shares its primary's). */
    public WindowingTokenizer tokenizer() {
        return tokenizer;
    }

    static BundleRuntime open(OrtEnvironment env, SessionFactory sessions, Path dir) {
        ModelBundleReader.requireFiles(dir);
        OrtSession session = sessions.open(dir.resolve(ModelBundle.MODEL));
        WindowingTokenizer tokenizer = null;
        try {
            ModelBundle bundle = ModelBundleReader.read(dir, signature(session));
            tokenizer = new WindowingTokenizer(
                    bundle.tokenizerFile(),
                    bundle.maxLength(),
                    bundle.stride(),
                    bundle.lowercase(),
                    bundle.sentenceWindows());
            return new BundleRuntime(env, bundle, session, tokenizer);
        } catch (RuntimeException e) {
            if (tokenizer != null) {
                tokenizer.close();
            }
            closeQuietly(session);
            throw e;
        }
    }

    /**
     * Another session on the same model, with its own input buffers, serving the same outputs (call after
     * {@link #enable}): lets an engine run a bucket's rows on several sessions at once.
     */
    BundleRuntime replica(SessionFactory sessions) {
        OrtSession s = sessions.open(bundle.modelFile());
        BundleRuntime r = new BundleRuntime(env, bundle, s, tokenizer, false);
        r.outputs.addAll(outputs);
        r.servesNer = servesNer;
        r.servesTopic = servesTopic;
        return r;
    }

    /** Enables tasks of this bundle; failing when the bundle lacks one. */
    void enable(boolean ner, boolean topic) {
        if (ner) {
            if (bundle.ner() == null) {
                throw new BundleException(bundle.dir() + ": bundle " + bundle.id() + " has no ner task");
            }
            servesNer = true;
            outputs.add(bundle.ner().output());
        }
        if (topic) {
            if (bundle.topic() == null) {
                throw new BundleException(bundle.dir() + ": bundle " + bundle.id() + " has no topic task");
            }
            servesTopic = true;
            outputs.add(bundle.topic().output());
        }
    }

    /** A 1x4 run: proves the graph accepts our inputs and that each enabled output has one logit per label. */
    void selfCheck() {
        int content = Math.max(1, 4 - tokenizer.specialCount());
        long pad = tokenizer.padId();
        Rows padRow = (r, buf) -> {
            for (int i = 0; i < content; i++) {
                buf.put(pad);
            }
        };
        try (Output out = run(padRow, 1, content + tokenizer.specialCount())) {
            if (servesNer) {
                long[] shape = out.shape(bundle.ner().output());
                ModelBundleReader.checkOutputWidth(bundle, bundle.ner(), shape[shape.length - 1]);
            }
            if (servesTopic) {
                long[] shape = out.shape(bundle.topic().output());
                ModelBundleReader.checkOutputWidth(bundle, bundle.topic(), shape[shape.length - 1]);
            }
        } catch (InferenceException e) {
            throw new BundleException(
                    bundle.modelFile() + ": a test run with inputs " + bundle.inputs() + " failed: "
                            + e.getCause().getMessage(),
                    e);
        }
    }

    /** Runs one bucket: row {@code r} is prefix + the content {@code rows} writes + suffix, padded to {@code length}. */
    Output run(Rows rows, int count, int length) {
        int n = count * length;
        ids = buffer(ids, n);
        if (feedMask) {
            mask = buffer(mask, n);
        }
        if (feedTypes) {
            types = buffer(types, n);
        }
        if (feedPositions) {
            positions = buffer(positions, n);
        }
        long pad = tokenizer.padId();
        for (int r = 0; r < count; r++) {
            int before = ids.position();
            tokenizer.putPrefix(ids);
            rows.putContent(r, ids);
            tokenizer.putSuffix(ids);
            int real = ids.position() - before;
            for (int j = real; j < length; j++) {
                ids.put(pad);
            }
            if (feedMask) {
                for (int j = 0; j < length; j++) {
                    mask.put(j < real ? 1L : 0L);
                }
            }
            if (feedTypes) {
                for (int j = 0; j < length; j++) {
                    types.put(0L);
                }
            }
            if (feedPositions) {
                for (int j = 0; j < length; j++) {
                    positions.put(j);
                }
            }
        }
        long[] shape = {count, length};
        Map<String, OnnxTensor> inputs = new HashMap<>(8);
        try {
            inputs.put("input_ids", tensor(ids, shape));
            if (feedMask) {
                inputs.put("attention_mask", tensor(mask, shape));
            }
            if (feedTypes) {
                inputs.put("token_type_ids", tensor(types, shape));
            }
            if (feedPositions) {
                inputs.put("position_ids", tensor(positions, shape));
            }
            long t0 = System.nanoTime();
            long cpu0 = InferenceCpu.threadNanos();
            OrtSession.Result result = session.run(inputs, outputs);
            InferenceCpu.addSince(cpu0);
            return new Output(result, System.nanoTime() - t0);
        } catch (OrtException e) {
            throw new InferenceException(
                    bundle.id() + ": inference failed on a bucket of " + count + " rows x " + length + " tokens: "
                            + e.getMessage(),
                    e);
        } finally {
            for (OnnxTensor t : inputs.values()) {
                t.close();
            }
        }
    }

    private OnnxTensor tensor(LongBuffer buf, long[] shape) throws OrtException {
        buf.flip();
        return OnnxTensor.createTensor(env, buf, shape);
    }

    /** A cleared direct buffer holding at least {@code n} longs, reusing {@code buf} when big enough. */
    private static LongBuffer buffer(LongBuffer buf, int n) {
        if (buf == null || buf.capacity() < n) {
            // doubled in long arithmetic and capped at the largest direct buffer of longs (Engines.checkBucketSize
            // keeps n under it)
            int cap = (int)
                    Math.min(Integer.MAX_VALUE / Long.BYTES, Math.max(n, buf == null ? 4096L : buf.capacity() * 2L));
            buf = ByteBuffer.allocateDirect(cap * Long.BYTES)
                    .order(ByteOrder.nativeOrder())
                    .asLongBuffer();
        }
        buf.clear();
        return buf;
    }

    /** Writes the content tokens of bucket row {@code r}. */
    interface Rows {
        void putContent(int row, LongBuffer buf);
    }

    /** A run's outputs; closing it closes the result (and with it its values). */
    static final class Output implements AutoCloseable {
        private final OrtSession.Result result;
        final long nanos;

        Output(OrtSession.Result result, long nanos) {
            this.result = result;
            this.nanos = nanos;
        }

        long[] shape(String name) {
            return info(name).getShape();
        }

        /** The output's floats (a copy ORT makes). */
        FloatBuffer floats(String name) {
            OnnxValue v = result.get(name).orElseThrow();
            TensorInfo info = info(name);
            if (info.type != ai.onnxruntime.OnnxJavaType.FLOAT) {
                throw new IllegalStateException("output '" + name + "' is " + info.type + ", expected FLOAT");
            }
            return ((OnnxTensor) v).getFloatBuffer();
        }

        private TensorInfo info(String name) {
            OnnxValue v = result.get(name).orElseThrow(() -> new IllegalStateException("no output '" + name + "'"));
            return (TensorInfo) v.getInfo();
        }

        @Override
        public void close() {
            result.close();
        }
    }

    private static GraphSignature signature(OrtSession session) {
        try {
            List<String> inputs = new ArrayList<>(session.getInputNames());
            Map<String, long[]> outs = new LinkedHashMap<>();
            for (Map.Entry<String, NodeInfo> e : session.getOutputInfo().entrySet()) {
                if (e.getValue().getInfo() instanceof TensorInfo ti) {
                    outs.put(e.getKey(), ti.getShape());
                }
            }
            return new GraphSignature(inputs, outs);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot read the graph signature: " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(OrtSession s) {
        try {
            s.close();
        } catch (OrtException | RuntimeException ignored) {
            // already failing: the first error matters
        }
    }

    @Override
    public void close() {
        if (ownsTokenizer) {
            tokenizer.close();
        }
        closeQuietly(session);
    }
}
