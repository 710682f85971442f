package io.streamnlp.bench;

import io.streamnlp.config.ConfigKeys;
import java.util.List;
import java.util.Locale;

/** The bench's printed table (Markdown, so it pastes into docs/PERFORMANCE.md as it is). */
public final class BenchReport {
    private BenchReport() {}

    public static String render(BenchRunner.Report r) {
        StringBuilder b = new StringBuilder();
        header(b, r);
        BenchRunner.Mixed m = r.mixed();
        if (m != null) {
            b.append("### raw: ONNX Runtime alone (pre-tokenized, no Kafka)\n\n");
            double best = raw(b, r.grid(), m.raw(), "best raw (the ceiling)");
            BenchRunner.Comparison cmp = m.compare();
            if (cmp != null) {
                rawSideBySide(b, r.bundle(), m.raw(), cmp);
            }
            pipelineRows(b, m, cmp);
            targets(b, r, m, best, cmp);
        }
        if (r.shortRecords() != null) {
            shortRecords(b, r, r.shortRecords());
        }
        f(
                b,
                "%nevery record accounted for: %s; bench wall time %.0f s%n",
                complete(r) ? "yes" : "NO (see received/records above)",
                r.seconds());
        return b.toString();
    }

    /** The title, the bundle and texts (the mixed ones when they ran), the batch policy and guarantee. */
    private static void header(StringBuilder b, BenchRunner.Report r) {
        var c = r.config();
        BenchRunner.Raw raw =
                r.mixed() != null ? r.mixed().raw() : r.shortRecords().raw();
        f(b, "## streamnlp bench (%s mode)%n%n", r.options().quick() ? "quick" : "full");
        f(
                b,
                "bundle %s on %s; %d texts, %d real tokens (%.1f per text) from %s; %d repeat(s), medians (± half the range)%n",
                r.bundle(),
                r.device(),
                raw.texts(),
                raw.realTokens(),
                (double) raw.realTokens() / raw.texts(),
                raw.source(),
                r.options().repeats());
        f(
                b,
                "policy: batch.max.records=%s batch.max.tokens=%s batch.max.wait.ms=%s batch.idle.ms=%s; inference.intra.op.threads=%s "
                        + "inference.max.bucket.rows=%s; processing.guarantee=%s; %d cores%n%n",
                c.get(ConfigKeys.BATCH_MAX_RECORDS),
                c.get(ConfigKeys.BATCH_MAX_TOKENS),
                c.get(ConfigKeys.BATCH_MAX_WAIT_MS),
                c.get(ConfigKeys.BATCH_IDLE_MS),
                c.get(ConfigKeys.INFERENCE_INTRA_OP_THREADS),
                c.get(ConfigKeys.INFERENCE_MAX_BUCKET_ROWS),
                c.get(ConfigKeys.PROCESSING_GUARANTEE),
                Runtime.getRuntime().availableProcessors());
    }

    /** The raw grid, its best point in bold, and the line naming it; returns the ceiling (docs/s). */
    private static double raw(StringBuilder b, List<RawBench.Config> grid, BenchRunner.Raw raw, String bestLabel) {
        b.append(
                "| batch | order | intra-op threads | sessions | docs/s | spread | tokens/s | padded/real | docs/batch |\n");
        b.append("|---|---|---|---|---|---|---|---|---|\n");
        for (RawBench.Config g : grid) {
            double[] v = raw.runs().get(g);
            RawBench.Result last = raw.last().get(g);
            double med = Stats.median(v);
            f(
                    b,
                    "| %s | %s | %d | %d | %s%.1f%s | %s | %.0f | %.3f | %.1f |%n",
                    g.batch(),
                    g.sorted() ? "sorted+bucketed" : "unsorted",
                    g.threads(),
                    g.sessions(),
                    g.equals(raw.best()) ? "**" : "",
                    med,
                    g.equals(raw.best()) ? "**" : "",
                    Stats.spread(v),
                    med * raw.realTokens() / raw.texts(),
                    last.paddingRatio(),
                    last.meanBatch());
        }
        double best = raw.ceiling();
        f(
                b,
                "%n%s: %s = %.1f docs/s; tokenization alone (one thread, not in raw): %.0f docs/s%n%n",
                bestLabel,
                raw.best().label().replaceAll("\\s+", " "),
                best,
                raw.tokenizeDocsPerSec());
        return best;
    }

    /** The second bundle's raw grid next to the served one's. */
    private static void rawSideBySide(StringBuilder b, String bundle, BenchRunner.Raw raw, BenchRunner.Comparison cmp) {
        f(b, "### raw, side by side: %s vs %s (same texts, same grid, runs alternating)%n%n", bundle, cmp.bundle());
        f(
                b,
                "| batch | intra-op threads | sessions | %s docs/s | %s docs/s | ratio |%n|---|---|---|---|---|---|%n",
                bundle,
                cmp.bundle());
        for (var e : cmp.raw().entrySet()) {
            RawBench.Config g = e.getKey();
            double mine = Stats.median(raw.runs().get(g));
            double theirs = Stats.median(e.getValue());
            f(
                    b,
                    "| %s | %d | %d | %.1f %s | %.1f %s | %.2f |%n",
                    g.batch(),
                    g.threads(),
                    g.sessions(),
                    mine,
                    Stats.spread(raw.runs().get(g)),
                    theirs,
                    Stats.spread(e.getValue()),
                    mine / theirs);
        }
        f(
                b,
                "%nbest raw of %s: %s = %.1f docs/s%n%n",
                cmp.bundle(),
                cmp.best().label().replaceAll("\\s+", " "),
                Stats.median(cmp.raw().get(cmp.best())));
    }

    private static void pipelineHeader(StringBuilder b) {
        b.append(
                "| row | partitions | offered/s | records/s | spread | tokens/s | p50 ms | p95 ms | p99 ms | docs/batch | fill | padded/real | median batch ms | lanes busy |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    }

    /** The pipeline and naive scenarios, one row each, and the batches at half load and saturation. */
    private static void pipelineRows(StringBuilder b, BenchRunner.Mixed r, BenchRunner.Comparison cmp) {
        b.append("### pipeline (exactly_once_v2, embedded KRaft broker, read_committed consumer) and naive\n\n");
        pipelineHeader(b);
        row(b, "pipeline (saturation)", r.saturation(), true);
        row(b, "pipeline (half load)", r.halfLoad(), true);
        row(b, "pipeline (saturation)", r.onePartition(), true);
        row(b, "naive mapValues (saturation)", r.naive(), false);
        if (cmp != null && cmp.saturation() != null) {
            row(b, "pipeline (saturation), " + cmp.bundle(), cmp.saturation(), true);
        }
        if (r.external() != null) {
            row(
                    b,
                    "pipeline (saturation), processor in its own JVM",
                    r.external().saturation(),
                    false);
        }
        BatchRecorder.Summary halfB = r.halfLoad().batches();
        f(
                b,
                "%nbatch inference at half load: median %.1f ms, p99 %.1f ms; flushes at saturation: %s%n",
                halfB.medianInferenceMs(),
                halfB.p99InferenceMs(),
                r.saturation().batches().triggers());
    }

    /** The ratios against the raw ceiling and the naive topology, each with its target. */
    private static void targets(
            StringBuilder b, BenchRunner.Report report, BenchRunner.Mixed r, double best, BenchRunner.Comparison cmp) {
        double pipe = Stats.median(r.saturation().recordsPerSec());
        double naive = Stats.median(r.naive().recordsPerSec());
        BatchRecorder.Summary sat = r.saturation().batches();
        BatchRecorder.Summary halfB = r.halfLoad().batches();
        double waste = sat.paddingRatio() - 1;
        double p99 = r.halfLoad().median(LoadDriver.Measurement::p99ShortMs);
        double p99Long = r.halfLoad().median(LoadDriver.Measurement::p99LongMs);
        double wait = report.config().getLong(ConfigKeys.BATCH_MAX_WAIT_MS);
        double p99Bound = wait + 3 * halfB.medianInferenceMs();
        b.append("\n### ratios and targets\n\n");
        b.append("| measure | value | target | holds |\n|---|---|---|---|\n");
        target(
                b,
                "pipeline / best raw",
                String.format(Locale.ROOT, "%.2f", pipe / best),
                ">= 0.85",
                pipe / best >= 0.85);
        target(b, "pipeline / naive", String.format(Locale.ROOT, "%.2f", pipe / naive), ">= 1.50", pipe >= 1.5 * naive);
        target(
                b,
                "padding waste (padded/real - 1), pipeline",
                String.format(Locale.ROOT, "%.1f%%", 100 * waste),
                "<= 15%",
                waste <= 0.15);
        target(
                b,
                "p99 at half load, records of <= " + LoadDriver.SHORT_TOKENS + " tokens",
                String.format(Locale.ROOT, "%.0f ms", p99),
                String.format(
                        Locale.ROOT,
                        "<= %.0f ms (max.wait %.0f + 3 x %.1f)",
                        p99Bound,
                        wait,
                        halfB.medianInferenceMs()),
                p99 <= p99Bound);
        f(
                b,
                "| p99 at half load, records of <= %d tokens, inside the processor (arrival to event written; the rest is "
                        + "the way in and the commit) | %.0f ms | - | - |%n",
                LoadDriver.SHORT_TOKENS,
                r.halfLoad().median(LoadDriver.Measurement::p99ShortInProcessorMs));
        f(b, "| p99 at half load, longer records (reported apart) | %.0f ms | - | - |%n", p99Long);
        if (cmp != null) {
            comparisonTargets(b, report.bundle(), best, pipe, cmp);
        }
        if (r.external() != null) {
            externalTargets(b, "", r.external(), best, 0.90, 0.90);
        }
        double mb12 = sat.meanBatch();
        double mb1 = r.onePartition().batches().meanBatch();
        double mbDiff = mb1 == 0 ? 0 : Math.abs(mb12 - mb1) / mb1;
        target(
                b,
                "mean batch, " + r.saturation().partitions() + " vs 1 partition(s)",
                String.format(Locale.ROOT, "%.1f vs %.1f (%.0f%%)", mb12, mb1, 100 * mbDiff),
                "within 10%",
                mbDiff <= 0.10);
    }

    /** The served bundle against the second one: raw ceilings and pipelines. */
    private static void comparisonTargets(
            StringBuilder b, String bundle, double best, double pipe, BenchRunner.Comparison cmp) {
        boolean servedIsInt8 = bundle.contains("-int8@");
        double mineBest = best;
        double theirsBest = Stats.median(cmp.raw().get(cmp.best()));
        double int8 = servedIsInt8 ? mineBest : theirsBest;
        double fp32 = servedIsInt8 ? theirsBest : mineBest;
        boolean int8Pair = servedIsInt8 || cmp.bundle().contains("-int8@");
        if (int8Pair) {
            target(
                    b,
                    "raw ceiling, int8 / fp32 (best point each)",
                    String.format(Locale.ROOT, "%.2f", int8 / fp32),
                    ">= 1.80",
                    int8 >= 1.8 * fp32);
        } else {
            f(b, "| raw ceiling, %s / %s | %.2f | - | - |%n", bundle, cmp.bundle(), mineBest / theirsBest);
        }
        if (cmp.saturation() != null) {
            double other = Stats.median(cmp.saturation().recordsPerSec());
            f(b, "| pipeline, %s / %s | %.2f | - | - |%n", bundle, cmp.bundle(), pipe / other);
            target(
                    b,
                    "pipeline / best raw, " + cmp.bundle(),
                    String.format(Locale.ROOT, "%.2f", other / theirsBest),
                    ">= 0.85",
                    other >= 0.85 * theirsBest);
        }
    }

    /**
     * A share of the process's CPU in percent: whole percents, but a share under 1 % with two decimals, so that a small
     * engine's real share (the test bundles') does not print as 0 %.
     */
    static String sharePercent(double share) {
        double pct = 100 * share;
        return String.format(Locale.ROOT, pct > 0 && pct < 1 ? "%.2f%%" : "%.0f%%", pct);
    }

    /**
     * The processor in its own JVM: its CPU per record, the share inside ONNX Runtime, its rate against raw. With a
     * steady-state window, CPU per record and share are given over the whole load and over the window, and the
     * share's target is set against the window's; without one, as before (the whole load, unlabelled).
     *
     * @param rateTarget the least pipeline / best raw that holds (NaN: none)
     */
    private static void externalTargets(
            StringBuilder b,
            String prefix,
            BenchRunner.External ext,
            double best,
            double shareTarget,
            double rateTarget) {
        double extRate = Stats.median(ext.saturation().recordsPerSec());
        SteadyWindow steady = ext.steady();
        String what = prefix + "processor in its own JVM: ";
        String whole = steady == null ? "" : ", " + wholeLoad(ext);
        f(b, "| %sCPU per record%s | %.1f ms | - | - |%n", what, whole, 1000 * ext.cpuSecondsPerRecord());
        double share = ext.cpu().inferenceShare();
        if (steady != null) {
            f(b, "| %sCPU inside ONNX Runtime%s | %s | - | - |%n", what, whole, sharePercent(share));
            f(
                    b,
                    "| %sCPU per record, %s | %.1f ms | - | - |%n",
                    what,
                    steady.label(),
                    1000 * steady.cpuSecondsPerRecord());
            share = steady.cpu().inferenceShare();
        }
        target(
                b,
                what + "CPU inside ONNX Runtime" + (steady == null ? "" : ", " + steady.label()),
                sharePercent(share),
                String.format(Locale.ROOT, ">= %.0f%%", 100 * shareTarget),
                share >= shareTarget);
        String rate = String.format(Locale.ROOT, "%.2f", extRate / best);
        if (Double.isNaN(rateTarget)) {
            f(b, "| %spipeline / best raw | %s | - | - |%n", what, rate);
        } else {
            target(
                    b,
                    what + "pipeline / best raw",
                    rate,
                    String.format(Locale.ROOT, ">= %.2f", rateTarget),
                    extRate >= rateTarget * best);
        }
    }

    /** The whole load's label: every measured record, the JIT compiler's first minutes included. */
    private static String wholeLoad(BenchRunner.External ext) {
        return "whole load (all " + ext.records() + " measured records, JIT warm-up included)";
    }

    /**
     * The sentence-sized records: their raw grid, the pipeline at saturation and the processor in its own JVM, and
     * the ratios (#20's targets: pipeline >= 0.85 x the raw ceiling, >= 85% of the processor's CPU inside ONNX
     * Runtime).
     */
    private static void shortRecords(StringBuilder b, BenchRunner.Report r, BenchRunner.ShortRecords s) {
        BenchRunner.Raw raw = s.raw();
        b.append(r.mixed() != null ? "\n" : "");
        b.append("### short records: sentence-sized texts (CoNLL-2003 sentences and news headlines)\n\n");
        f(
                b,
                "%d texts, %d real tokens (%.1f per text) from %s; the same bundle, policy and repeats%n%n",
                raw.texts(),
                raw.realTokens(),
                (double) raw.realTokens() / raw.texts(),
                raw.source());
        double best = raw(b, r.grid(), raw, "best raw of the short records (the ceiling)");
        pipelineHeader(b);
        row(b, "short records: pipeline (saturation)", s.saturation(), true);
        if (s.external() != null) {
            row(
                    b,
                    "short records: pipeline (saturation), processor in its own JVM",
                    s.external().saturation(),
                    false);
        }
        double pipe = Stats.median(s.saturation().recordsPerSec());
        b.append("\n| measure | value | target | holds |\n|---|---|---|---|\n");
        target(
                b,
                "short records: pipeline / best raw",
                String.format(Locale.ROOT, "%.2f", pipe / best),
                ">= 0.85",
                pipe >= 0.85 * best);
        if (s.external() != null) {
            externalTargets(b, "short records: ", s.external(), best, 0.85, Double.NaN);
        }
    }

    private static boolean complete(BenchRunner.Report r) {
        BenchRunner.Mixed m = r.mixed();
        BenchRunner.ShortRecords s = r.shortRecords();
        return (m == null || complete(m))
                && (s == null
                        || s.saturation().complete()
                                && (s.external() == null
                                        || s.external().saturation().complete()));
    }

    private static boolean complete(BenchRunner.Mixed r) {
        BenchRunner.Comparison cmp = r.compare();
        return r.saturation().complete()
                && r.halfLoad().complete()
                && r.onePartition().complete()
                && r.naive().complete()
                && (cmp == null || cmp.saturation() == null || cmp.saturation().complete())
                && (r.external() == null || r.external().saturation().complete());
    }

    private static void row(StringBuilder b, String name, BenchRunner.Scenario s, boolean batched) {
        double[] v = s.recordsPerSec();
        double offered = s.runs().isEmpty() ? 0 : s.runs().get(0).offeredPerSec();
        BatchRecorder.Summary k = s.batches();
        double wall =
                s.runs().stream().mapToDouble(LoadDriver.Measurement::seconds).sum();
        f(
                b,
                "| %s | %d | %s | %.1f | %s | %.0f | %.0f | %.0f | %.0f | %s | %s | %s | %s | %s |%n",
                name,
                s.partitions(),
                offered > 0 ? String.format(Locale.ROOT, "%.0f", offered) : "max",
                Stats.median(v),
                Stats.spread(v),
                s.median(LoadDriver.Measurement::tokensPerSec),
                s.median(LoadDriver.Measurement::p50Ms),
                s.median(LoadDriver.Measurement::p95Ms),
                s.median(LoadDriver.Measurement::p99Ms),
                batched ? String.format(Locale.ROOT, "%.1f", k.meanBatch()) : "1",
                batched ? String.format(Locale.ROOT, "%.0f%%", 100 * k.meanFill()) : "-",
                batched ? String.format(Locale.ROOT, "%.3f", k.paddingRatio()) : "-",
                batched ? String.format(Locale.ROOT, "%.1f", k.medianInferenceMs()) : "-",
                batched && wall > 0
                        ? String.format(Locale.ROOT, "%.0f%%", 100 * k.laneSeconds() / (wall * s.lanes()))
                        : "-");
    }

    private static void target(StringBuilder b, String what, String value, String target, boolean holds) {
        f(b, "| %s | %s | %s | %s |%n", what, value, target, holds ? "yes" : "**no**");
    }

    private static void f(StringBuilder b, String fmt, Object... args) {
        b.append(String.format(Locale.ROOT, fmt, args));
    }
}
