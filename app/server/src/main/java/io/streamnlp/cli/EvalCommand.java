package io.streamnlp.cli;

import io.streamnlp.batching.BatchListener;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.config.Topics;
import io.streamnlp.eval.ChunkScorer;
import io.streamnlp.eval.ClassificationScorer;
import io.streamnlp.eval.ConllDocument;
import io.streamnlp.eval.EvalRunner;
import io.streamnlp.eval.LabeledTexts;
import io.streamnlp.local.LocalPipeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Streaming evaluation through the real pipeline: CoNLL-2003 files are scored with conlleval
 * semantics (whole entities, from the emitted character offsets), AG News style CSVs by accuracy and
 * per-class precision/recall/F1. {@code --unit document} publishes whole documents as well as their
 * sentences, since users publish documents and windowing decides what context a sentence gets.
 */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description =
                "Publish a labelled file through the pipeline and score the enriched events (conlleval for CoNLL files, accuracy for label,text CSVs).")
public final class EvalCommand implements Callable<Integer> {
    /** Exit code when the score is under --min-score. */
    public static final int EXIT_BELOW_FLOOR = 3;

    @Mixin
    ConfigOptions config;

    @Mixin
    LoggingOptions logging;

    @Parameters(paramLabel = "FILE", description = "A CoNLL-2003 file (IOB1 or IOB2) or a label,text CSV.")
    Path file;

    @Option(
            names = "--format",
            defaultValue = "auto",
            description = "auto (by extension: .csv is topics), conll or csv.")
    String format;

    @Option(
            names = "--limit",
            defaultValue = "0",
            description = "Use only the first N sentences/rows, or documents with --unit document (0: all).")
    int limit;

    @Option(
            names = "--unit",
            defaultValue = "sentence",
            description = {
                "CoNLL files: what one record holds. sentence (default): one sentence, its tokens joined by single spaces.",
                "document: one -DOCSTART- document, each sentence joined as for sentence and the sentences separated by a single newline (\\n);"
                        + " its sentences are published too, and both summaries print (sentence, then document, both scored per sentence),"
                        + " then the consistency: the share of sentences whose entities inside the document equal those of the sentence alone."
                        + " --min-score then applies to the document F1."
            })
    String unit;

    @Option(
            names = "--external",
            description = "Use the cluster and running processor of the configuration instead of an embedded one.")
    boolean external;

    @Option(
            names = "--partitions",
            defaultValue = "4",
            description = "Input partitions of the embedded pipeline (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(
            names = "--min-score",
            defaultValue = "0",
            description = "Exit " + EXIT_BELOW_FLOOR + " when entity F1 / accuracy (percent) is below this.")
    double minScore;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    /** What the file holds: the records to publish and what they are scored against. */
    private record Input(
            List<String> texts,
            List<String> docTexts,
            List<ConllDocument.Document> docs,
            List<ConllDocument.Sentence> sentences,
            List<LabeledTexts.Row> rows) {}

    /** The events collected for the records, and for the documents with {@code --unit document} (else null). */
    private record Collected(EvalRunner.Collected records, EvalRunner.Collected documents) {}

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(file)) {
            System.err.println("error: " + file + " does not exist");
            return Main.EXIT_CONFIG;
        }
        boolean csv = switch (format.toLowerCase(Locale.ROOT)) {
            case "csv" -> true;
            case "conll" -> false;
            case "auto" ->
                file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv");
            default ->
                throw new picocli.CommandLine.ParameterException(
                        new picocli.CommandLine(this), "--format must be auto, conll or csv");
        };
        boolean documents = switch (unit.toLowerCase(Locale.ROOT)) {
            case "sentence" -> false;
            case "document" -> true;
            default ->
                throw new picocli.CommandLine.ParameterException(
                        new picocli.CommandLine(this), "--unit must be sentence or document");
        };
        if (documents && csv) {
            throw new picocli.CommandLine.ParameterException(
                    new picocli.CommandLine(this), "--unit document needs a CoNLL file");
        }
        Input in = read(csv, documents);
        if (in.texts().isEmpty()) {
            System.err.println("error: " + file + " holds no records");
            return Main.EXIT_CONFIG;
        }
        System.err.printf(
                "%s: %d %s%s%n",
                file,
                in.texts().size(),
                csv ? "rows" : "sentences",
                documents ? " in " + in.docTexts().size() + " documents" : "");
        Collected collected = publish(csv, documents, in);
        double score = score(csv, documents, in, collected);
        if (score < minScore) {
            System.err.printf(Locale.ROOT, "error: score %.2f is below --min-score %.2f%n", score, minScore);
            return EXIT_BELOW_FLOOR;
        }
        return 0;
    }

    /** The file's rows, sentences, or documents and their sentences, cut to {@code --limit}. */
    private Input read(boolean csv, boolean documents) throws IOException {
        List<String> texts = new ArrayList<>();
        List<String> docTexts = new ArrayList<>();
        List<ConllDocument.Document> docs = null;
        List<ConllDocument.Sentence> sentences = null;
        List<LabeledTexts.Row> rows = null;
        if (csv) {
            rows = LabeledTexts.read(file);
            if (limit > 0 && rows.size() > limit) rows = rows.subList(0, limit);
            rows.forEach(r -> texts.add(r.text()));
        } else if (documents) {
            docs = ConllDocument.readDocuments(file);
            if (limit > 0 && docs.size() > limit) docs = docs.subList(0, limit);
            sentences = new ArrayList<>();
            for (ConllDocument.Document d : docs) {
                sentences.addAll(d.sentences());
                docTexts.add(d.text());
            }
            sentences.forEach(s -> texts.add(s.text()));
        } else {
            sentences = ConllDocument.read(file);
            if (limit > 0 && sentences.size() > limit) sentences = sentences.subList(0, limit);
            sentences.forEach(s -> texts.add(s.text()));
        }
        return new Input(texts, docTexts, docs, sentences, rows);
    }

    /** Publishes the records (then the documents) through an embedded pipeline or the configured cluster. */
    private Collected publish(boolean csv, boolean documents, Input in) throws Exception {
        EnricherConfig c;
        EvalRunner.Collected collected;
        EvalRunner.Collected collectedDocs = null;
        ProgressBar bar = new ProgressBar(System.err, documents ? "eval sentences" : "eval", !noProgress);
        LocalPipeline local = null;
        try {
            if (external) {
                c = config.load();
            } else {
                System.err.println("starting an embedded broker and the processor...");
                local = LocalPipeline.start("streamnlp-eval", partitions, config::load, BatchListener.NONE);
                c = local.config();
            }
            Topics topics = Topics.from(c);
            String out = csv ? topics.topics() : topics.entities();
            EvalRunner runner = new EvalRunner(
                    c.get(ConfigKeys.BOOTSTRAP_SERVERS), c.kafkaOverrides(), topics, Duration.ofSeconds(120));
            collected = runner.run(in.texts(), out, bar::update);
            if (documents) {
                // one after the other through the same pipeline: each unit's wall time is its own
                ProgressBar docBar = new ProgressBar(System.err, "eval documents", !noProgress);
                collectedDocs = runner.run(in.docTexts(), out, docBar::update);
            }
        } finally {
            if (local != null) {
                local.close();
            }
        }
        return new Collected(collected, collectedDocs);
    }

    /** Prints the scores and counts; returns the score --min-score applies to. */
    private static double score(boolean csv, boolean documents, Input in, Collected runs) {
        EvalRunner.Collected collected = runs.records();
        double score;
        System.out.println();
        if (csv) {
            Set<String> labels = new LinkedHashSet<>(LabeledTexts.AG_NEWS);
            in.rows().forEach(r -> labels.add(r.label()));
            ClassificationScorer s = EvalRunner.scoreTopics(in.rows(), new ArrayList<>(labels), collected);
            System.out.print(s.report());
            score = s.accuracy();
        } else if (documents) {
            ChunkScorer s = EvalRunner.scoreNer(in.sentences(), collected);
            System.out.println("unit: sentence (" + in.sentences().size() + " records)");
            System.out.print(s.report());
            printCounts(in.texts().size(), collected);
            ChunkScorer d = EvalRunner.scoreNerDocuments(in.docs(), runs.documents());
            System.out.println();
            System.out.println("unit: document (" + in.docs().size() + " records, scored per sentence)");
            System.out.print(d.report());
            printCounts(in.docTexts().size(), runs.documents());
            System.out.println();
            System.out.print(EvalRunner.consistency(in.docs(), runs.documents(), collected)
                    .report());
            score = d.f1();
        } else {
            ChunkScorer s = EvalRunner.scoreNer(in.sentences(), collected);
            System.out.print(s.report());
            score = s.f1();
        }
        if (!documents) {
            System.out.println();
            printCounts(in.texts().size(), collected);
        }
        return score;
    }

    private static void printCounts(int records, EvalRunner.Collected c) {
        System.out.printf(
                Locale.ROOT,
                "records: %d, dead-lettered: %d, missing: %d; wall time %.1f s, %.1f records/s"
                        + " (%.1f records/s warm: from the first 10 %% of the records to the last)%n",
                records,
                c.deadLettered(),
                c.missing(),
                c.seconds(),
                c.recordsPerSecond(records),
                c.warmRecordsPerSecond());
    }
}
