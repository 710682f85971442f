package io.streamnlp.cli;

import io.streamnlp.bench.BenchReport;
import io.streamnlp.bench.BenchRunner;
import io.streamnlp.inference.Engines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Throughput and latency in one run, on one bundle and one set of texts: ONNX Runtime alone (a grid of
 * batch sizes, bucketing, threads, sessions), the full pipeline on an embedded broker under
 * exactly_once_v2 (saturation, half load, 12 vs 1 partitions) and a naive per-record topology; then the same on
 * sentence-sized records (raw grid, pipeline, the processor in its own JVM).
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Benchmark: raw ONNX Runtime vs the full pipeline (exactly_once_v2, embedded broker) vs a naive per-record topology.")
public final class BenchCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Mixin
    LoggingOptions logging;

    @Option(names = "--quick", description = "Smoke run (< 2 minutes): a small grid, fewer texts, one repeat.")
    boolean quick;

    @Option(names = "--texts", description = "Texts per measurement (default: 120 quick, 400 full).")
    Integer texts;

    @Option(
            names = "--repeats",
            description = "Repeats of every measurement; medians are reported (default: 1 quick, 3 full).")
    Integer repeats;

    @Option(
            names = "--partitions",
            defaultValue = "12",
            description = "Input partitions of the main pipeline (default ${DEFAULT-VALUE}); compared with 1.")
    int partitions;

    @Option(
            names = "--shared",
            paramLabel = "DIR",
            description =
                    "Folder holding datasets/ag_news and datasets/conll2003 (default: ../shared from the project).")
    Path shared;

    @Option(names = "--output", paramLabel = "FILE", description = "Also write the table to this file.")
    Path output;

    @Option(
            names = "--compare",
            paramLabel = "DIR",
            description =
                    "A second bundle measured side by side, raw and pipeline "
                            + "(default: the served bundle's other precision, its int8 sibling or the fp32 source of an int8 bundle, when there is one).")
    Path compare;

    @Option(names = "--no-compare", description = "Measure the served bundle only.")
    boolean noCompare;

    @Option(
            names = "--no-external",
            description =
                    "Skip the run with the processor in a JVM of its own (its CPU time per record and the share inside ONNX Runtime).")
    boolean noExternal;

    @Option(
            names = "--jfr",
            paramLabel = "FILE",
            description =
                    "Record the processor-in-its-own-JVM run with Java Flight Recorder (profile settings) into FILE.")
    Path jfr;

    @Option(
            names = "--steady-after",
            paramLabel = "PCT",
            defaultValue = "50",
            description =
                    "The processor in its own JVM is also measured over a steady-state window, from when PCT %% of its "
                            + "measured records have been emitted to the end of its load (1-99, default ${DEFAULT-VALUE}); "
                            + "--texts and --repeats make that load longer.")
    int steadyAfter;

    @Option(
            names = "--scenario",
            paramLabel = "WHICH",
            defaultValue = "all",
            description =
                    "mixed (texts of 5 to 1,000+ tokens: raw grid, pipeline, 1 partition, naive, second bundle, own JVM), "
                            + "short (sentence-sized records: raw grid, pipeline, own JVM) or all (default).")
    String scenario;

    @Override
    public Integer call() throws Exception {
        BenchRunner.Options d = quick ? BenchRunner.Options.quick(sharedDir()) : BenchRunner.Options.full(sharedDir());
        BenchRunner.Options o = new BenchRunner.Options(
                quick,
                texts != null ? texts : d.texts(),
                repeats != null ? repeats : d.repeats(),
                partitions,
                d.sharedDir(),
                compare,
                noCompare,
                !noExternal,
                jfr,
                workload(),
                steadyAfter);
        if (o.texts() < 10 || o.repeats() < 1 || o.partitions() < 1 || steadyAfter < 1 || steadyAfter > 99) {
            throw new picocli.CommandLine.ParameterException(
                    new picocli.CommandLine(this),
                    "--texts >= 10, --repeats >= 1, --partitions >= 1, --steady-after 1 to 99");
        }
        BenchRunner.Report report = new BenchRunner(config::load, o, System.err).run();
        String table = BenchReport.render(report);
        System.out.println();
        System.out.print(table);
        if (output != null) {
            Files.writeString(output, table);
        }
        return 0;
    }

    private BenchRunner.Workload workload() {
        return switch (scenario.toLowerCase(Locale.ROOT)) {
            case "mixed" -> BenchRunner.Workload.MIXED;
            case "short" -> BenchRunner.Workload.SHORT;
            case "all" -> BenchRunner.Workload.ALL;
            default ->
                throw new picocli.CommandLine.ParameterException(
                        new picocli.CommandLine(this), "--scenario must be mixed, short or all");
        };
    }

    private Path sharedDir() {
        if (shared != null) {
            return shared;
        }
        Path home = Engines.projectHome();
        Path base = home != null ? home : Path.of("").toAbsolutePath();
        return base.getParent() != null ? base.getParent().resolve("shared") : null;
    }
}
