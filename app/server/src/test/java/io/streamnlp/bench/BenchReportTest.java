package io.streamnlp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.batching.BatchListener.Trigger;
import io.streamnlp.config.EnricherConfig;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bench's table from reports of made-up figures: every section and row, in order. */
class BenchReportTest {
    static final RawBench.Config SMALL = new RawBench.Config("1", 1, 8192, true, 2, 1);
    static final RawBench.Config BIG = new RawBench.Config("32", 32, 8192, true, 1, 2);

    static BenchRunner.Scenario scenario(String name, int partitions, double rate) {
        List<LoadDriver.Measurement> runs = List.of(
                new LoadDriver.Measurement(100, 100, 100 / rate, rate, 60 * rate, 10, 20, 30, 0, 5, 25, 35, 15),
                new LoadDriver.Measurement(
                        100, 100, 100 / (rate + 2), rate + 2, 60 * rate, 12, 22, 32, 0, 5, 27, 37, 17));
        BatchRecorder.Summary s =
                new BatchRecorder.Summary(10, 100, 6000, 6300, 10, 0.5, 40, 3, Map.of(Trigger.RECORDS, 8), 1.5, 90);
        return new BenchRunner.Scenario(name, partitions, runs, s, 2);
    }

    static BenchRunner.Raw raw(String source, int texts, long tokens, double scale) {
        Map<RawBench.Config, double[]> runs = new LinkedHashMap<>();
        runs.put(SMALL, new double[] {50 * scale, 52 * scale});
        runs.put(BIG, new double[] {100 * scale, 110 * scale});
        Map<RawBench.Config, RawBench.Result> last = new LinkedHashMap<>();
        last.put(SMALL, new RawBench.Result(SMALL, 51, 3000, 1.01, 1));
        last.put(BIG, new RawBench.Result(BIG, 105, 6000, 1.07, 30.5));
        return new BenchRunner.Raw(source, texts, tokens, runs, last, BIG, 3000);
    }

    static BenchRunner.Mixed mixed() {
        Map<RawBench.Config, double[]> other = new LinkedHashMap<>(Map.of(BIG, new double[] {70, 72}));
        BenchRunner.Comparison cmp =
                new BenchRunner.Comparison("b@1", other, BIG, scenario("pipeline saturation, b@1", 12, 50));
        BenchRunner.External ext =
                new BenchRunner.External(scenario("own JVM", 12, 70), new ExternalProcessor.Cpu(4.0, 3.2), 200, null);
        return new BenchRunner.Mixed(
                raw("made-up texts", 100, 6300, 1),
                cmp,
                scenario("pipeline saturation", 12, 80),
                scenario("pipeline half load", 12, 40),
                scenario("pipeline saturation", 1, 90),
                scenario("naive", 12, 60),
                ext);
    }

    static BenchRunner.ShortRecords shortRecords() {
        BenchRunner.External ext =
                new BenchRunner.External(scenario("own JVM", 12, 300), new ExternalProcessor.Cpu(2.0, 1.5), 400, null);
        return new BenchRunner.ShortRecords(
                raw("made-up sentences", 100, 1500, 4), scenario("short records: pipeline saturation", 12, 200), ext);
    }

    static BenchRunner.Report report(BenchRunner.Mixed mixed, BenchRunner.ShortRecords shortRecords) {
        return new BenchRunner.Report(
                BenchRunner.Options.quick(null),
                "b-int8@1",
                "CPU",
                EnricherConfig.defaults(),
                List.of(SMALL, BIG),
                mixed,
                shortRecords,
                42);
    }

    /** The mixed texts' sections, as they were before the short records came (output of the earlier renderer). */
    static final List<String> MIXED = List.of(
            "## streamnlp bench (quick mode)",
            "### raw: ONNX Runtime alone",
            "| 32 | sorted+bucketed | 1 | 2 | **105.0** |",
            "best raw (the ceiling)",
            "### raw, side by side: b-int8@1 vs b@1",
            "### pipeline (exactly_once_v2",
            "| pipeline (saturation) | 12 |",
            "| pipeline (half load) | 12 |",
            "| pipeline (saturation) | 1 |",
            "| naive mapValues (saturation) |",
            "| pipeline (saturation), b@1 |",
            "| pipeline (saturation), processor in its own JVM |",
            "batch inference at half load",
            "### ratios and targets",
            "| pipeline / best raw | 0.77 |",
            "| raw ceiling, int8 / fp32 (best point each) | 1.48 |",
            "| processor in its own JVM: CPU per record | 20.0 ms |",
            "| processor in its own JVM: CPU inside ONNX Runtime | 80% | >= 90% | **no** |",
            "| processor in its own JVM: pipeline / best raw | 0.68 | >= 0.90 | **no** |",
            "| mean batch, 12 vs 1 partition(s) |");

    static final List<String> SHORT = List.of(
            "### short records: sentence-sized texts",
            "100 texts, 1500 real tokens (15.0 per text) from made-up sentences",
            "| 32 | sorted+bucketed | 1 | 2 | **420.0** |",
            "best raw of the short records (the ceiling): batch=32 sorted intra=1 sessions=2 = 420.0 docs/s",
            "| short records: pipeline (saturation) | 12 | max | 201.0 |",
            "| short records: pipeline (saturation), processor in its own JVM | 12 | max | 301.0 |",
            "| short records: pipeline / best raw | 0.48 | >= 0.85 | **no** |",
            "| short records: processor in its own JVM: CPU per record | 5.0 ms | - | - |",
            "| short records: processor in its own JVM: CPU inside ONNX Runtime | 75% | >= 85% | **no** |",
            "| short records: processor in its own JVM: pipeline / best raw | 0.72 | - | - |");

    static final String END = "every record accounted for: yes; bench wall time 42 s";

    /** A small engine's real share of the CPU is not rounded to 0 %; larger shares print in whole percents. */
    @Test
    void aShareUnderOnePercentKeepsTwoDecimals() {
        assertEquals("0.43%", BenchReport.sharePercent(0.0043));
        assertEquals("0%", BenchReport.sharePercent(0));
        assertEquals("1%", BenchReport.sharePercent(0.0104));
        assertEquals("82%", BenchReport.sharePercent(0.8249));
    }

    @Test
    void theMixedTextsAloneRenderAsBefore() throws Exception {
        String t = BenchReport.render(report(mixed(), null));
        inOrder(t, MIXED, List.of(END));
        assertFalse(t.contains("short records"), t);
        // the renderer's output before the short records were added, for the same figures
        try (InputStream in = getClass().getResourceAsStream("bench-report-mixed.md")) {
            assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), t);
        }
    }

    @Test
    void theShortRecordsFollowInASectionOfTheirOwn() {
        String t = BenchReport.render(report(mixed(), shortRecords()));
        inOrder(t, MIXED, SHORT, List.of(END));
        assertEquals(t, BenchReport.render(report(mixed(), shortRecords())));
    }

    @Test
    void theShortRecordsAlone() {
        String t = BenchReport.render(report(null, shortRecords()));
        assertTrue(
                t.contains(
                        "bundle b-int8@1 on CPU; 100 texts, 1500 real tokens (15.0 per text) from made-up sentences"),
                t);
        inOrder(t, SHORT, List.of(END));
        assertFalse(t.contains("### raw: ONNX Runtime alone") || t.contains("naive"), t);
    }

    @SafeVarargs
    private static void inOrder(String t, List<String>... parts) {
        int at = 0;
        for (List<String> part : parts) {
            for (String s : part) {
                int i = t.indexOf(s, at);
                assertTrue(i >= at, "missing or out of order: " + s + "\n" + t);
                at = i + s.length();
            }
        }
    }
}
