package io.streamnlp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.cli.Main;
import io.streamnlp.fixtures.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code bench --quick} command end to end on the lexicon bundle: every row of the table is there, for the
 * mixed texts and for the short records, and its numbers are sane (positive, finite, shares within 0-100 %, every
 * record accounted for). No timing thresholds: performance
 * targets live in the bench's output, not in tests.
 */
class BenchSmokeIT {
    @TempDir
    Path tmp;

    @Test
    void quickBenchPrintsEveryRowWithSaneNumbers() throws Exception {
        Path bundle = ItBundles.lexiconBundle();
        Path out = tmp.resolve("bench.md");
        List<String> args = new ArrayList<>(List.of(
                "bench",
                "--quick",
                "--texts",
                "80",
                "--partitions",
                "4",
                "--output",
                out.toString(),
                "--set",
                "ner.model=" + bundle,
                "--set",
                "topic.model=" + bundle));
        if (SharedData.root() != null) {
            args.addAll(List.of("--shared", SharedData.root().toString()));
        }
        assertEquals(0, Main.execute(args.toArray(new String[0])));
        String all = Files.readString(out);
        int at = all.indexOf("### short records");
        assertTrue(at > 0, "the short records' section follows the mixed texts'\n" + all);
        String table = all.substring(0, at);
        String shortRecords = all.substring(at);

        // raw grid: 6 rows in quick mode, each with positive throughput
        rawGrid(table);
        assertTrue(table.contains("best raw (the ceiling)"), table);

        // pipeline, half load, one partition, naive
        List<String> pipe = rows(
                table, "| pipeline (saturation) |", "| pipeline (half load) |", "| naive mapValues (saturation) |");
        assertEquals(4, pipe.size(), table);
        for (String row : pipe) {
            pipelineRow(row);
        }
        for (String ratio :
                List.of("pipeline / best raw", "pipeline / naive", "padding waste", "p99 at half load", "mean batch")) {
            assertTrue(table.contains("| " + ratio), "missing " + ratio + "\n" + table);
        }
        // the processor in a JVM of its own: its rate, and the share of its CPU time inside ONNX Runtime's session runs
        assertTrue(ownJvm(table, "") > 0, "the lexicon engine's own share of the process's CPU time\n" + table);

        // the sentence-sized records: the same raw grid, the pipeline at saturation, the processor in its own JVM
        rawGrid(shortRecords);
        assertTrue(shortRecords.contains("best raw of the short records (the ceiling)"), shortRecords);
        List<String> shortPipe = rows(shortRecords, "| short records: pipeline (saturation) |");
        assertEquals(1, shortPipe.size(), shortRecords);
        pipelineRow(shortPipe.get(0));
        List<String> ratio = rows(shortRecords, "| short records: pipeline / best raw |");
        assertEquals(1, ratio.size(), shortRecords);
        // a number; with the tiny lexicon graph the raw ceiling is so high that the ratio can print as 0.00
        assertTrue(number(cell(ratio.get(0), 1)) >= 0, ratio.get(0));
        ownJvm(shortRecords, "short records: ");
        assertTrue(all.contains("every record accounted for: yes"), all);
    }

    private static void rawGrid(String table) {
        List<String> raw = rows(table, "| 1 |", "| 32 |", "| tokens |");
        assertEquals(6, raw.size(), table);
        for (String row : raw) {
            assertTrue(number(cell(row, 4)) > 0, row);
            assertTrue(number(cell(row, 7)) >= 1.0, "padded/real >= 1: " + row);
        }
    }

    private static void pipelineRow(String row) {
        assertTrue(number(cell(row, 3)) > 0, "records/s: " + row);
        assertTrue(number(cell(row, 5)) > 0, "tokens/s: " + row);
        double p50 = number(cell(row, 6));
        double p99 = number(cell(row, 8));
        assertTrue(p50 >= 0 && p99 >= p50, "latency percentiles ordered: " + row);
        assertTrue(number(cell(row, 9)) >= 1, "docs/batch: " + row);
    }

    /**
     * The own-JVM row's rate, its CPU per record and the share of it inside ONNX Runtime (a share: 0 to 100 %; the
     * lexicon engine's is small, 1 % of the mixed texts' time, and may print as 0 % on short records); returns the share.
     */
    private static double ownJvm(String table, String prefix) {
        List<String> ext = rows(table, "| " + prefix + "pipeline (saturation), processor in its own JVM |");
        assertEquals(1, ext.size(), table);
        assertTrue(number(cell(ext.get(0), 3)) > 0, "records/s: " + ext.get(0));
        // Two rows each when the load had a steady-state window: over the whole load, then over the window ("...,
        // steady state, after the first X of N records"); one unlabelled row when it had none (a load this small can
        // come out in one batch, so every record is emitted at the window's start).
        List<String> cpu = rows(table, "| " + prefix + "processor in its own JVM: CPU per record");
        assertTrue(cpu.size() == 1 || cpu.size() == 2, table);
        if (cpu.size() == 2) {
            assertTrue(cpu.get(0).contains(", whole load ("), "the whole load's row first: " + cpu.get(0));
            assertTrue(cpu.get(1).contains(", steady state, after the first "), "then the window's: " + cpu.get(1));
        }
        for (String row : cpu) {
            assertTrue(number(cell(row, 1)) > 0, "CPU per record: " + row);
        }
        List<String> share = rows(table, "| " + prefix + "processor in its own JVM: CPU inside ONNX Runtime");
        assertEquals(cpu.size(), share.size(), table);
        for (String row : share) {
            double p = number(cell(row, 1).replace("%", ""));
            assertTrue(p >= 0 && p <= 100, "a share of the process's CPU time: " + row);
        }
        double percent = number(cell(share.get(0), 1).replace("%", ""));
        return percent;
    }

    private static List<String> rows(String table, String... starts) {
        List<String> out = new ArrayList<>();
        for (String line : table.split("\n")) {
            for (String s : starts) {
                if (line.startsWith(s)) {
                    out.add(line);
                }
            }
        }
        return out;
    }

    private static String cell(String row, int i) {
        return row.split("\\|")[i + 1].trim();
    }

    private static double number(String cell) {
        Matcher m = Pattern.compile("-?[0-9]+(\\.[0-9]+)?").matcher(cell);
        assertTrue(m.find(), "not a number: " + cell);
        double v = Double.parseDouble(m.group());
        assertTrue(Double.isFinite(v), cell);
        return v;
    }
}
