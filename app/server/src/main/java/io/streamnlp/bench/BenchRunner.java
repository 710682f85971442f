package io.streamnlp.bench;

import io.streamnlp.batching.BatchPolicy;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.inference.Engines;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * One benchmark run: raw ONNX Runtime grid, the full pipeline on an embedded broker (saturation, half
 * load, 1 vs many partitions) and the naive per-record topology, all on the same bundle and texts; then the same
 * bundle on sentence-sized records (raw grid, pipeline at saturation, the processor in its own JVM).
 */
public final class BenchRunner {
    /** Which texts to run: the mixed lengths, the sentence-sized records, or both (the default). */
    public enum Workload {
        MIXED,
        SHORT,
        ALL;

        public boolean mixed() {
            return this != SHORT;
        }

        public boolean shortRecords() {
            return this != MIXED;
        }
    }

    /**
     * How much to run.
     *
     * @param compare  a second bundle measured side by side (raw and pipeline): null for the served bundle's other
     *                 precision (its int8 sibling, or the fp32 source of an int8 bundle) when there is one
     * @param noCompare measure the served bundle only
     * @param external also run the processor in a JVM of its own (broker and load driver in this one) and report
     *                 its CPU time per record and the share of it inside ONNX Runtime
     * @param externalJfr a Java Flight Recording of that processor process, written when it stops (null: none)
     * @param workload the mixed texts, the short records, or both
     * @param steadyAfterPercent the processor in its own JVM is also measured over a steady-state window: from when
     *                 this share (%) of its measured records had been emitted to the end of its load
     */
    public record Options(
            boolean quick,
            int texts,
            int repeats,
            int partitions,
            Path sharedDir,
            Path compare,
            boolean noCompare,
            boolean external,
            Path externalJfr,
            Workload workload,
            int steadyAfterPercent) {
        /** The steady-state window's default start: half of the processor-in-its-own-JVM load. */
        public static final int STEADY_AFTER_PERCENT = 50;

        public Options(boolean quick, int texts, int repeats, int partitions, Path sharedDir) {
            this(
                    quick,
                    texts,
                    repeats,
                    partitions,
                    sharedDir,
                    null,
                    false,
                    true,
                    null,
                    Workload.ALL,
                    STEADY_AFTER_PERCENT);
        }

        public static Options quick(Path shared) {
            return new Options(true, 120, 1, 12, shared);
        }

        public static Options full(Path shared) {
            return new Options(false, 400, 3, 12, shared);
        }
    }

    /** The second bundle: its raw grid (sorted points, each run next to the served bundle's) and its pipeline. */
    public record Comparison(
            String bundle, Map<RawBench.Config, double[]> raw, RawBench.Config best, Scenario saturation) {}

    /**
     * The processor in its own JVM: its saturation run and what that process spent over the whole load (its measured
     * repeats, after the unmeasured rounds) and over the load's steady-state window (null: not measured).
     */
    public record External(Scenario saturation, ExternalProcessor.Cpu cpu, int records, SteadyWindow steady) {
        public double cpuSecondsPerRecord() {
            return records == 0 ? 0 : cpu.processSeconds() / records;
        }
    }

    /** A pipeline or naive scenario: the repeats' measurements and the batches they made. */
    /** @param lanes inference lanes the batches ran on (batches on different lanes overlap in time) */
    public record Scenario(
            String name, int partitions, List<LoadDriver.Measurement> runs, BatchRecorder.Summary batches, int lanes) {
        public double[] recordsPerSec() {
            return runs.stream()
                    .mapToDouble(LoadDriver.Measurement::recordsPerSec)
                    .toArray();
        }

        public double median(ToDoubleFunction<LoadDriver.Measurement> f) {
            return Stats.median(runs.stream().mapToDouble(f).toArray());
        }

        public boolean complete() {
            return runs.stream().allMatch(m -> m.received() == m.records());
        }
    }

    /**
     * The raw grid on one set of texts: every point's repeats, its last result, the best point (the ceiling).
     *
     * @param source where the texts came from
     */
    public record Raw(
            String source,
            int texts,
            long realTokens,
            Map<RawBench.Config, double[]> runs,
            Map<RawBench.Config, RawBench.Result> last,
            RawBench.Config best,
            double tokenizeDocsPerSec) {
        /** The best point's median, docs/s. */
        public double ceiling() {
            return Stats.median(runs.get(best));
        }
    }

    /**
     * The mixed texts: the raw grid, the pipeline (saturation, half load, 1 partition), the naive topology, the second
     * bundle (null: none) and the processor in its own JVM (null: not run).
     */
    public record Mixed(
            Raw raw,
            Comparison compare,
            Scenario saturation,
            Scenario halfLoad,
            Scenario onePartition,
            Scenario naive,
            External external) {}

    /** The sentence-sized records: the raw grid, the pipeline at saturation, the processor in its own JVM (or null). */
    public record ShortRecords(Raw raw, Scenario saturation, External external) {}

    /** Everything one run measured; {@code mixed} or {@code shortRecords} is null when its workload was not run. */
    public record Report(
            Options options,
            String bundle,
            String device,
            EnricherConfig config,
            List<RawBench.Config> grid,
            Mixed mixed,
            ShortRecords shortRecords,
            double seconds) {}

    private final Function<Map<String, String>, EnricherConfig> loader;
    private final Options options;
    private final PrintStream log;

    public BenchRunner(Function<Map<String, String>, EnricherConfig> loader, Options options, PrintStream log) {
        this.loader = loader;
        this.options = options;
        this.log = log;
    }

    /** The raw grid of the served bundle and, run by run beside it, of the second one (empty when none). */
    private record RawPhase(
            Raw raw,
            String bundleId,
            List<String> texts,
            int[] tokens,
            String otherId,
            Map<RawBench.Config, double[]> rawOther) {
        BrokerRuns.Load load() {
            return new BrokerRuns.Load(texts, tokens);
        }
    }

    public Report run() throws Exception {
        long t0 = System.nanoTime();
        EnricherConfig base = loader.apply(Map.of());
        Path bundle = Engines.options(base).nerBundle() != null
                ? Engines.options(base).nerBundle()
                : Engines.options(base).topicBundle();
        BatchPolicy policy = BatchPolicy.from(base);
        Workload workload = options.workload();
        Path other = !workload.mixed() || options.noCompare()
                ? null
                : options.compare() != null ? Engines.resolve(options.compare().toString()) : otherPrecision(bundle);

        // 1. raw ONNX Runtime, before any broker thread exists
        List<RawBench.Config> grid = grid(policy);
        RawPhase mixed = null;
        if (workload.mixed()) {
            BenchTexts.Corpus corpus = BenchTexts.load(options.sharedDir(), options.texts());
            log.printf(
                    "bench: bundle %s, %d texts from %s%n",
                    bundle, corpus.texts().size(), corpus.source());
            if (other != null) {
                log.printf("bench: compared with bundle %s (raw and pipeline, side by side)%n", other);
            }
            mixed = raw(base, bundle, other, corpus, grid);
        }
        RawPhase shortTexts = null;
        if (workload.shortRecords()) {
            BenchTexts.Corpus corpus = BenchTexts.loadShort(options.sharedDir(), options.texts());
            log.printf(
                    "bench: bundle %s, short records: %d sentence-sized texts from %s%n",
                    bundle, corpus.texts().size(), corpus.source());
            shortTexts = raw(base, bundle, null, corpus, grid);
        }

        // 2. + 3. one broker for the pipelines and the naive topology
        BrokerRuns.Pipelines runs = new BrokerRuns(loader, options, log)
                .pipelines(
                        policy,
                        mixed == null ? null : mixed.load(),
                        shortTexts == null ? null : shortTexts.load(),
                        other,
                        mixed == null ? null : mixed.otherId());
        Mixed m = null;
        if (mixed != null) {
            Comparison comparison = other == null
                    ? null
                    : new Comparison(
                            mixed.otherId(),
                            mixed.rawOther(),
                            mixed.rawOther().isEmpty() ? null : best(mixed.rawOther()),
                            runs.otherSaturation());
            m = new Mixed(
                    mixed.raw(),
                    comparison,
                    runs.saturation(),
                    runs.halfLoad(),
                    runs.onePartition(),
                    runs.naive(),
                    runs.external());
        }
        ShortRecords s = shortTexts == null
                ? null
                : new ShortRecords(shortTexts.raw(), runs.shortSaturation(), runs.shortExternal());
        String bundleId = (mixed != null ? mixed : shortTexts).bundleId();
        return new Report(options, bundleId, runs.device(), base, grid, m, s, (System.nanoTime() - t0) / 1e9);
    }

    /** The raw grid on the corpus: the served bundle, and the other one (null: none) alternating with it. */
    private RawPhase raw(
            EnricherConfig base, Path bundle, Path other, BenchTexts.Corpus corpus, List<RawBench.Config> grid)
            throws Exception {
        List<String> texts = corpus.texts();
        boolean cuda = "cuda".equalsIgnoreCase(base.get(ConfigKeys.INFERENCE_DEVICE));
        int maxBucketRows = base.getPositiveInt(ConfigKeys.INFERENCE_MAX_BUCKET_ROWS);
        Map<RawBench.Config, double[]> raw = new LinkedHashMap<>();
        Map<RawBench.Config, RawBench.Result> rawLast = new LinkedHashMap<>();
        Map<RawBench.Config, double[]> rawOther = new LinkedHashMap<>();
        try (RawBench rb = new RawBench(bundle, texts, maxBucketRows, cuda);
                RawBench ro = other == null ? null : new RawBench(other, texts, maxBucketRows, cuda)) {
            String otherId = ro == null ? null : ro.bundle().id();
            double tokenizeRate = rb.tokenizeDocsPerSec();
            log.printf("  tokenization alone (one thread): %.0f docs/s%n", tokenizeRate);
            for (RawBench.Config c : grid) {
                // unsorted batches are 3-5x slower on CPU (padding): measured once, they are not the ceiling
                double[] v = new double[c.sorted() ? options.repeats() : 1];
                double[] w = ro != null && c.sorted() ? new double[v.length] : null;
                for (int r = 0;
                        r < v.length;
                        r++) { // the two bundles alternate, so drift of the machine hits both alike
                    RawBench.Result res = rb.run(c);
                    v[r] = res.docsPerSec();
                    rawLast.put(c, res);
                    if (w != null) {
                        w[r] = ro.run(c).docsPerSec();
                    }
                }
                raw.put(c, v);
                log.printf("  raw %s: %.1f docs/s %s%n", c.label(), Stats.median(v), Stats.spread(v));
                if (w != null) {
                    rawOther.put(c, w);
                    log.printf("  raw %s, %s: %.1f docs/s %s%n", c.label(), otherId, Stats.median(w), Stats.spread(w));
                }
            }
            Raw result = new Raw(corpus.source(), texts.size(), rb.realTokens(), raw, rawLast, best(raw), tokenizeRate);
            return new RawPhase(result, rb.bundle().id(), texts, rb.tokenCounts(), otherId, rawOther);
        }
    }

    private static RawBench.Config best(Map<RawBench.Config, double[]> raw) {
        RawBench.Config best = null;
        for (var e : raw.entrySet()) {
            if (best == null || Stats.median(e.getValue()) > Stats.median(raw.get(best))) {
                best = e.getKey();
            }
        }
        return best;
    }

    /** The served bundle's other precision: the int8 sibling of an fp32 bundle, the source of an int8 one; null if none. */
    static Path otherPrecision(Path bundle) {
        String name = bundle.getFileName().toString();
        Path other = name.endsWith("-int8")
                ? bundle.resolveSibling(name.substring(0, name.length() - "-int8".length()))
                : Engines.int8Sibling(bundle);
        return Files.isRegularFile(other.resolve("bundle.json")) ? other : null;
    }

    /** The raw grid: batch 1/8/32/token budget x sorted or not x intra-op threads 1/2 x 1 or 2 sessions. */
    private List<RawBench.Config> grid(BatchPolicy policy) {
        int budget = policy.maxTokens();
        List<RawBench.Config> g = new ArrayList<>();
        if (options.quick()) {
            g.add(new RawBench.Config("1", 1, budget, true, 2, 1));
            g.add(new RawBench.Config("1", 1, budget, true, 1, 2));
            g.add(new RawBench.Config("32", 32, budget, false, 2, 1));
            g.add(new RawBench.Config("32", 32, budget, true, 2, 1));
            g.add(new RawBench.Config("32", 32, budget, true, 1, 2));
            g.add(new RawBench.Config("tokens", 1 << 20, budget, true, 2, 1));
            return g;
        }
        int[][] threading = {{1, 1}, {2, 1}, {1, 2}}; // intra-op threads, sessions (2 x 2 would oversubscribe 2 cores)
        String[] names = {"1", "8", "32", "tokens"};
        int[] sizes = {1, 8, 32, 1 << 20};
        for (int b = 0; b < names.length; b++) {
            for (boolean sorted : new boolean[] {false, true}) {
                if (!sorted && sizes[b] != 32) {
                    continue; // unsorted is shown at the default batch size only (batch 1: nothing to sort)
                }
                for (int[] t : threading) {
                    if (!sorted && t[1] == 1 && t[0] == 1) {
                        continue;
                    }
                    g.add(new RawBench.Config(names[b], sizes[b], budget, sorted, t[0], t[1]));
                }
            }
        }
        return g;
    }
}
