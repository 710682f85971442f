package io.streamnlp.bench;

import io.streamnlp.app.TopicAdmin;
import io.streamnlp.batching.BatchPolicy;
import io.streamnlp.bench.BenchRunner.External;
import io.streamnlp.bench.BenchRunner.Options;
import io.streamnlp.bench.BenchRunner.Scenario;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.config.Topics;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The bench's broker part, on one embedded broker: the full pipeline (saturation, half load, 1 vs many partitions,
 * the second bundle), the processor in a JVM of its own and the naive per-record topology, for the mixed texts and
 * the short records.
 */
final class BrokerRuns {
    /** The texts offered to the pipelines, with each one's real token count (from the raw part's tokenization). */
    record Load(List<String> texts, int[] tokens) {}

    /** What the broker part measured (a workload not run leaves its scenarios null). */
    record Pipelines(
            String device,
            Scenario saturation,
            Scenario halfLoad,
            Scenario onePartition,
            Scenario naive,
            Scenario otherSaturation,
            External external,
            Scenario shortSaturation,
            External shortExternal) {}

    private final Function<Map<String, String>, EnricherConfig> loader;
    private final Options options;
    private final PrintStream log;

    BrokerRuns(Function<Map<String, String>, EnricherConfig> loader, Options options, PrintStream log) {
        this.loader = loader;
        this.options = options;
        this.log = log;
    }

    /**
     * On one embedded broker: the main pipeline (the mixed texts, then the short records), then for the mixed texts 1
     * partition and the other bundle, the processor in its own JVM (both workloads), the naive topology.
     *
     * @param mixed the mixed texts, or null
     * @param shortRecords the sentence-sized texts, or null
     */
    Pipelines pipelines(BatchPolicy policy, Load mixed, Load shortRecords, Path other, String otherId)
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

    /** One run's limit: 90 s quick, 300 s full, or longer for long loads (at least 100 ms per record). */
    private Duration timeout() {
        return Duration.ofSeconds(Math.max(options.quick() ? 90 : 300, options.texts() / 10));
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

    /**
     * Unmeasured rounds, then the measured repeats at saturation and what the process spent in them: over the whole
     * load, and over its steady-state window (from when the load driver has seen {@code --steady-after} % of the
     * measured records emitted to the end of the load; the process's CPU and its session runs' are read at that
     * moment, on the driver's consumer loop, and again at the end).
     */
    private External externalRun(ExternalProcessor ep, LoadDriver d, int rounds, String name) throws Exception {
        int n = options.texts();
        for (int w = 0; w < rounds; w++) {
            d.run(warmUp(n), 0, timeout());
        }
        AtomicReference<ExternalProcessor.Cpu> atMark = new AtomicReference<>();
        AtomicInteger emittedAtMark = new AtomicInteger();
        int after = SteadyWindow.startAfter(n * options.repeats(), options.steadyAfterPercent());
        if (after > 0) {
            d.markAfter(after, emitted -> {
                try {
                    atMark.set(ep.cpu());
                    emittedAtMark.set(emitted);
                } catch (Exception e) { // no window then; the whole load is still measured
                    log.printf("    the steady-state window's start could not be read: %s%n", e);
                }
            });
        }
        ExternalProcessor.Cpu before = ep.cpu();
        Scenario s = scenario(name, options.partitions(), d, new BatchRecorder(1, 1), n, 0, timeout(), 1);
        ExternalProcessor.Cpu end = ep.cpu();
        ExternalProcessor.Cpu spent = end.minus(before);
        int records =
                s.runs().stream().mapToInt(LoadDriver.Measurement::received).sum();
        SteadyWindow steady = SteadyWindow.between(atMark.get(), emittedAtMark.get(), end, records);
        log.printf(
                "    processor process: %.2f CPU s for %d records (%.1f ms/record), %.0f%% of it inside ONNX Runtime session runs%n",
                spent.processSeconds(),
                records,
                1000 * spent.processSeconds() / Math.max(1, records),
                100 * spent.inferenceShare());
        if (steady != null) {
            log.printf(
                    "    %s: %.2f CPU s for %d records (%.1f ms/record), %.0f%% of it inside ONNX Runtime session runs%n",
                    steady.label(),
                    steady.cpu().processSeconds(),
                    steady.records(),
                    1000 * steady.cpuSecondsPerRecord(),
                    100 * steady.cpu().inferenceShare());
        }
        return new External(s, spent, records, steady);
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
}
