package io.streamnlp.bench;

import io.streamnlp.app.TopicAdmin;
import io.streamnlp.batching.BatchPolicy;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.config.Topics;
import io.streamnlp.inference.Engines;
import io.streamnlp.local.EmbeddedKafka;
import io.streamnlp.local.LocalPipeline;
import io.streamnlp.logging.KnownNoise;
import io.streamnlp.topology.Settings;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
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
            Workload workload) {
        public Options(boolean quick, int texts, int repeats, int partitions, Path sharedDir) {
            this(quick, texts, repeats, partitions, sharedDir, null, false, true, null, Workload.ALL);
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

    /** The processor in its own JVM: its saturation run and what that process spent. */
    public record External(Scenario saturation, ExternalProcessor.Cpu cpu, int records) {
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

    /** The texts offered to the pipelines, with each one's real token count (from the raw part's tokenization). */
    private record Load(List<String> texts, int[] tokens) {}

    /** The raw grid of the served bundle and, run by run beside it, of the second one (empty when none). */
    private record RawPhase(
            Raw raw,
            String bundleId,
            List<String> texts,
            int[] tokens,
            String otherId,
            Map<RawBench.Config, double[]> rawOther) {
        Load load() {
            return new Load(texts, tokens);
        }
    }

    /** What the broker part measured (a workload not run leaves its scenarios null). */
    private record Pipelines(
            String device,
            Scenario saturation,
            Scenario halfLoad,
            Scenario onePartition,
            Scenario naive,
            Scenario otherSaturation,
            External external,
            Scenario shortSaturation,
            External shortExternal) {}

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
        Pipelines runs = pipelines(
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

    /**
     * On one embedded broker: the main pipeline (the mixed texts, then the short records), then for the mixed texts 1
     * partition and the other bundle, the processor in its own JVM (both workloads), the naive topology.
     *
     * @param mixed the mixed texts, or null
     * @param shortRecords the sentence-sized texts, or null
     */
    private Pipelines pipelines(BatchPolicy policy, Load mixed, Load shortRecords, Path other, String otherId)
            throws Exception {
        int n = options.texts();
        Duration timeout = timeout();
        log.println("bench: starting an embedded broker...");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            BatchRecorder rec = new BatchRecorder(policy.maxRecords(), policy.maxTokens());
            String device;
            Scenario saturation = null;
            Scenario half = null;
            Scenario shortSaturation = null;
            try (LocalPipeline p = pipeline(kafka, "bench-p" + options.partitions(), options.partitions(), rec)) {
                device = String.valueOf(p.app().engine().device());
                int lanes = lanes(p);
                int rounds = options.quick() ? 1 : 3; // the JVM's first Kafka run: JIT, sessions, transactions
                if (mixed != null) {
                    LoadDriver d = driver(p.config(), mixed.texts(), mixed.tokens());
                    for (int w = 0; w < rounds; w++) {
                        d.run(warmUp(n), 0, timeout);
                    }
                    saturation = scenario("pipeline saturation", options.partitions(), d, rec, n, 0, timeout, lanes);
                    double rate = 0.5 * Stats.median(saturation.recordsPerSec());
                    half = scenario("pipeline half load", options.partitions(), d, rec, n / 2, rate, timeout, lanes);
                    rounds = 1; // the pipeline is warm: one round of the new texts
                }
                if (shortRecords != null) {
                    LoadDriver d = driver(p.config(), shortRecords.texts(), shortRecords.tokens());
                    for (int w = 0; w < rounds; w++) {
                        d.run(warmUp(n), 0, timeout);
                    }
                    shortSaturation = scenario(
                            "short records: pipeline saturation", options.partitions(), d, rec, n, 0, timeout, lanes);
                }
            }
            Scenario one = null;
            Scenario otherSaturation = null;
            if (mixed != null) {
                one = saturated(kafka, "bench-p1", 1, Map.of(), "pipeline saturation", rec, mixed);
                if (other != null) {
                    Map<String, String> served = Map.of(
                            ConfigKeys.NER_MODEL,
                            other.toString(),
                            ConfigKeys.TOPIC_MODEL,
                            other.toString(),
                            ConfigKeys.INFERENCE_PRECISION,
                            "fp32"); // fp32: serve the folder as given, whatever its precision
                    otherSaturation = saturated(
                            kafka,
                            "bench-other",
                            options.partitions(),
                            served,
                            "pipeline saturation, " + otherId,
                            rec,
                            mixed);
                }
            }
            List<External> external =
                    options.external() ? external(kafka, mixed, shortRecords) : Arrays.<External>asList(null, null);
            Scenario naive = mixed == null ? null : naive(kafka, mixed.texts(), mixed.tokens(), n, timeout);
            return new Pipelines(
                    device,
                    saturation,
                    half,
                    one,
                    naive,
                    otherSaturation,
                    external.get(0),
                    shortSaturation,
                    external.get(1));
        }
    }

    /** A pipeline of its own on {@code kafka}: one unmeasured round, then the measured repeats at saturation. */
    private Scenario saturated(
            EmbeddedKafka kafka,
            String id,
            int partitions,
            Map<String, String> extra,
            String name,
            BatchRecorder rec,
            Load load)
            throws Exception {
        try (LocalPipeline p = pipeline(kafka, id, partitions, rec, extra)) {
            LoadDriver d = driver(p.config(), load.texts(), load.tokens());
            int n = options.texts();
            d.run(warmUp(n), 0, timeout());
            return scenario(name, partitions, d, rec, n, 0, timeout(), lanes(p));
        }
    }

    private static int lanes(LocalPipeline p) {
        return p.app().registry().overlap() ? p.app().engine().lanes() : 1;
    }

    private Duration timeout() {
        return Duration.ofSeconds(options.quick() ? 90 : 300);
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

    /**
     * The processor as deployed: {@code streamnlp run} in a JVM of its own on this broker, the load driver here. What
     * it reports is that process's alone: CPU seconds per record, and the part inside ONNX Runtime's session runs.
     * One process runs the mixed texts, then the short records (either null: not run); returns their results in that
     * order (null where not run).
     */
    private List<External> external(EmbeddedKafka kafka, Load mixed, Load shortRecords) throws Exception {
        String id = "bench-ext";
        Map<String, String> forced = topics(id);
        forced.put(ConfigKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        forced.put(ConfigKeys.APPLICATION_ID, id);
        forced.put(ConfigKeys.STARTUP_BATCH_CHECK, "warn");
        Path stateDir = Files.createTempDirectory("streamnlp-" + id);
        KnownNoise.temporaryStateDir(stateDir);
        forced.put(ConfigKeys.STATE_DIR, stateDir.toString());
        EnricherConfig c = loader.apply(forced);
        TopicAdmin.ensureTopics(
                kafka.bootstrapServers(),
                Map.of(),
                Topics.from(c),
                options.partitions(),
                options.partitions(),
                Settings.from(c).maxRecordBytes());
        log.println("bench: starting the processor in a JVM of its own...");
        try (ExternalProcessor ep = ExternalProcessor.start(c, Duration.ofSeconds(180), options.externalJfr())) {
            int rounds = options.quick() ? 1 : 2; // a fresh JVM: JIT, sessions, transactions
            External m = null;
            if (mixed != null) {
                m = externalRun(
                        ep,
                        driver(c, mixed.texts(), mixed.tokens()),
                        rounds,
                        "pipeline saturation, processor in its own JVM");
                rounds = 1; // the process is warm: one round of the new texts
            }
            External s = shortRecords == null
                    ? null
                    : externalRun(
                            ep,
                            driver(c, shortRecords.texts(), shortRecords.tokens()),
                            rounds,
                            "short records: pipeline saturation, processor in its own JVM");
            return Arrays.asList(m, s);
        }
    }

    /** Unmeasured rounds, then the measured repeats at saturation and what the process spent in them. */
    private External externalRun(ExternalProcessor ep, LoadDriver d, int rounds, String name) throws Exception {
        int n = options.texts();
        for (int w = 0; w < rounds; w++) {
            d.run(warmUp(n), 0, timeout());
        }
        ExternalProcessor.Cpu before = ep.cpu();
        Scenario s = scenario(name, options.partitions(), d, new BatchRecorder(1, 1), n, 0, timeout(), 1);
        ExternalProcessor.Cpu spent = ep.cpu().minus(before);
        int records =
                s.runs().stream().mapToInt(LoadDriver.Measurement::received).sum();
        log.printf(
                "    processor process: %.2f CPU s for %d records (%.1f ms/record), %.0f%% of it inside ONNX Runtime session runs%n",
                spent.processSeconds(),
                records,
                1000 * spent.processSeconds() / Math.max(1, records),
                100 * spent.inferenceShare());
        return new External(s, spent, records);
    }

    private Scenario scenario(
            String name,
            int partitions,
            LoadDriver d,
            BatchRecorder rec,
            int count,
            double rate,
            Duration timeout,
            int lanes)
            throws Exception {
        rec.reset();
        // wall-clock marks, to line a profile (e.g. JFR) up with the scenario
        log.printf(
                "  [%s] %s (%d partitions): measured repeats start%n",
                LocalTime.now().withNano(0), name, partitions);
        List<LoadDriver.Measurement> runs = new ArrayList<>();
        for (int r = 0; r < options.repeats(); r++) {
            LoadDriver.Measurement m = d.run(count, rate, timeout);
            runs.add(m);
            log.printf(
                    "  %s (%d partitions%s): %d/%d records, %.1f records/s, p50/p95/p99 %.0f/%.0f/%.0f ms (p50 inside the processor %.0f ms)%n",
                    name,
                    partitions,
                    rate > 0 ? String.format(", offered %.0f/s", rate) : "",
                    m.received(),
                    m.records(),
                    m.recordsPerSec(),
                    m.p50Ms(),
                    m.p95Ms(),
                    m.p99Ms(),
                    m.p50InProcessorMs());
        }
        log.printf("  [%s] %s (%d partitions): done%n", LocalTime.now().withNano(0), name, partitions);
        BatchRecorder.Summary s = rec.summary();
        if (s.batches() > 0) {
            double wall =
                    runs.stream().mapToDouble(LoadDriver.Measurement::seconds).sum();
            log.printf(
                    "    %d batches, %.1f docs/batch, inference median %.1f ms / p99 %.1f ms, p95 queue %.1f ms, flushed by %s; "
                            + "lanes busy %.0f%% of the wall time (%d lane(s))%n",
                    s.batches(),
                    s.meanBatch(),
                    s.medianInferenceMs(),
                    s.p99InferenceMs(),
                    s.p95QueueMs(),
                    s.triggers(),
                    100 * s.laneSeconds() / (wall * lanes),
                    lanes);
        }
        return new Scenario(name, partitions, runs, s, lanes);
    }

    private Scenario naive(EmbeddedKafka kafka, List<String> texts, int[] tokens, int n, Duration timeout)
            throws Exception {
        Map<String, String> forced = topics("bench-naive");
        forced.put(ConfigKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        forced.put(ConfigKeys.APPLICATION_ID, "bench-naive");
        Path stateDir = Files.createTempDirectory("streamnlp-bench-naive");
        KnownNoise.temporaryStateDir(stateDir);
        forced.put(ConfigKeys.STATE_DIR, stateDir.toString());
        EnricherConfig c = loader.apply(forced);
        Topics t = Topics.from(c);
        TopicAdmin.ensureTopics(
                kafka.bootstrapServers(), Map.of(), t, options.partitions(), options.partitions(), 16 << 20);
        try (NaiveTopology naive = new NaiveTopology(c, "bench-naive", t.input(), t.entities())) {
            naive.start(Duration.ofSeconds(90));
            LoadDriver d =
                    new LoadDriver(kafka.bootstrapServers(), t.input(), List.of(t.entities(), t.dlq()), texts, tokens);
            d.run(warmUp(n), 0, timeout);
            BatchRecorder none = new BatchRecorder(1, 1);
            return scenario("naive mapValues saturation", options.partitions(), d, none, n, 0, timeout, 1);
        }
    }

    /**
     * Records of an unmeasured round before a scenario: a full round in full mode, 60 in quick mode. The first
     * pipeline gets three rounds: with one, its measured repeats still rose run by run (60, 67, 72 records/s) while
     * the JIT compiler threads took a quarter of a core (JFR), so 12 partitions looked slower than 1, measured later.
     */
    private int warmUp(int n) {
        return options.quick() ? Math.min(n, 60) : n;
    }

    private LocalPipeline pipeline(EmbeddedKafka kafka, String id, int partitions, BatchRecorder rec) throws Exception {
        return pipeline(kafka, id, partitions, rec, Map.of());
    }

    private LocalPipeline pipeline(
            EmbeddedKafka kafka, String id, int partitions, BatchRecorder rec, Map<String, String> extra)
            throws Exception {
        return LocalPipeline.startOn(
                kafka,
                false,
                id,
                partitions,
                forced -> {
                    Map<String, String> all = new HashMap<>(topics(id));
                    all.putAll(extra);
                    all.putAll(forced);
                    return loader.apply(all);
                },
                rec);
    }

    private static LoadDriver driver(EnricherConfig c, List<String> texts, int[] tokens) {
        Topics t = Topics.from(c);
        String out = c.getBoolean(ConfigKeys.NER_ENABLED) ? t.entities() : t.topics();
        return new LoadDriver(c.get(ConfigKeys.BOOTSTRAP_SERVERS), t.input(), List.of(out, t.dlq()), texts, tokens);
    }

    private static Map<String, String> topics(String id) {
        Map<String, String> m = new HashMap<>();
        m.put(ConfigKeys.TOPIC_INPUT, id + ".input");
        m.put(ConfigKeys.TOPIC_ENTITIES, id + ".entities");
        m.put(ConfigKeys.TOPIC_TOPICS, id + ".topics");
        m.put(ConfigKeys.TOPIC_DLQ, id + ".dlq");
        return m;
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
