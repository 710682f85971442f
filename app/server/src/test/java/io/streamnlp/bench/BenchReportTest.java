package io.streamnlp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.batching.BatchListener.Trigger;
import io.streamnlp.config.EnricherConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bench's table from a report of made-up figures: every section and row, in order. */
class BenchReportTest {
    static final RawBench.Config SMALL = new RawBench.Config("1", 1, 8192, true, 2, 1);
    static final RawBench.Config BIG = new RawBench.Config("32", 32, 8192, true, 1, 2);

    static BenchRunner.Scenario scenario(String name, int partitions, double rate) {
        List<LoadDriver.Measurement> runs = List.of(
                new LoadDriver.Measurement(100, 100, 100 / rate, rate, 60 * rate, 10, 20, 30, 0, 5, 25, 35),
                new LoadDriver.Measurement(100, 100, 100 / (rate + 2), rate + 2, 60 * rate, 12, 22, 32, 0, 5, 27, 37));
        BatchRecorder.Summary s =
                new BatchRecorder.Summary(10, 100, 6000, 6300, 10, 0.5, 40, 3, Map.of(Trigger.RECORDS, 8), 1.5, 90);
        return new BenchRunner.Scenario(name, partitions, runs, s, 2);
    }

    static BenchRunner.Report report() {
        Map<RawBench.Config, double[]> raw = new LinkedHashMap<>();
        raw.put(SMALL, new double[] {50, 52});
        raw.put(BIG, new double[] {100, 110});
        Map<RawBench.Config, RawBench.Result> last = new LinkedHashMap<>();
        last.put(SMALL, new RawBench.Result(SMALL, 51, 3000, 1.01, 1));
        last.put(BIG, new RawBench.Result(BIG, 105, 6000, 1.07, 30.5));
        Map<RawBench.Config, double[]> other = new LinkedHashMap<>(Map.of(BIG, new double[] {70, 72}));
        BenchRunner.Comparison cmp =
                new BenchRunner.Comparison("b@1", other, BIG, scenario("pipeline saturation, b@1", 12, 50));
        BenchRunner.External ext =
                new BenchRunner.External(scenario("own JVM", 12, 70), new ExternalProcessor.Cpu(4.0, 3.2), 200);
        return new BenchRunner.Report(
                BenchRunner.Options.quick(null),
                "made-up texts",
                100,
                6300,
                "b-int8@1",
                "CPU",
                EnricherConfig.defaults(),
                List.of(SMALL, BIG),
                raw,
                last,
                BIG,
                3000,
                scenario("pipeline saturation", 12, 80),
                scenario("pipeline half load", 12, 40),
                scenario("pipeline saturation", 1, 90),
                scenario("naive", 12, 60),
                cmp,
                ext,
                42);
    }

    @Test
    void everySectionAndRowInOrder() throws Exception {
        String t = BenchReport.render(report());
        Files.writeString(Path.of(System.getProperty("java.io.tmpdir"), "bench-report-render.md"), t);
        int at = 0;
        for (String s : List.of(
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
                "| processor in its own JVM: CPU inside ONNX Runtime | 80% |",
                "| mean batch, 12 vs 1 partition(s) |",
                "every record accounted for: yes; bench wall time 42 s")) {
            int i = t.indexOf(s, at);
            assertTrue(i >= at, "missing or out of order: " + s + "\n" + t);
            at = i + s.length();
        }
        assertEquals(t, BenchReport.render(report()));
    }
}
