package io.streamnlp.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.api.event.Enrichment;
import io.streamnlp.api.event.Entity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A record's result must not depend on its batch-mates (issue #20, item 5): each text inferred alone and inside
 * padded batches of 16 with random other texts gets the same entities (text, label, offsets) and the same entity
 * and topic scores, within {@link #FP32_BOUND} on the shipped fp32-compute bundle and {@link #INT8_BOUND} on its
 * int8-compute sibling (per-row activation scales: no statistic is shared across the rows of a batch). A
 * per-tensor activation scale (DynamicQuantizeLinear, the int8 bundle before 2026-12-06) fails this: an outlier
 * text in the batch changes the precision of every other row (here an entity was lost and scores moved by 0.10).
 */
class BatchIndependenceTest {
    static final double FP32_BOUND = 1e-5;
    static final double INT8_BOUND = 1e-5;
    static final int BATCH = 16;

    /** Sentences and headlines of mixed length, plus outliers with unusual activations (digits, symbols, caps). */
    static final List<String> TEXTS = List.of(
            "Angela Merkel met Emmanuel Macron in Berlin on Tuesday.",
            "Roger Federer beat Rafael Nadal 6-4 6-3 at Wimbledon.",
            "Shares of Apple rose 3 percent on Wall Street after record iPhone sales, while Microsoft slipped.",
            "NASA said its Perseverance rover collected a new rock sample on Mars.",
            "The United Nations Security Council met in New York after fighting resumed near Kabul, Afghanistan.",
            "Toyota and Volkswagen cut their profit forecasts as the yen strengthened against the dollar.",
            "Manchester United signed the Brazilian striker from Real Madrid on a four-year deal.",
            "Café owners in Zürich welcomed Nestlé's decision to keep its headquarters in Vevey.",
            "Stocks fell.",
            "Oil prices climbed above $90 a barrel as OPEC kept output unchanged.",
            "Google unveiled a faster quantum processor in Mountain View, California.",
            "Police in Lima arrested two men on Sunday.",
            "SOCCER - JAPAN GET LUCKY WIN , CHINA IN SURPRISE DEFEAT .",
            "Nadim Ladki",
            "AL-AIN , United Arab Emirates 1996-12-06",
            "1. Germany 24 13 6 5 43-25 45",
            "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
            "!!! ??? ### $$$ %%% &&& *** @@@ ~~~ ^^^ ||| <<< >>> === +++ --- ___ ;;; :::",
            "The European Central Bank left rates unchanged on Thursday, and analysts in Frankfurt, London and "
                    + "New York expect no move before the summer, when new forecasts from the bank's staff are due "
                    + "and inflation in the euro zone is seen easing towards the two percent target.",
            "Intel and IBM announced a research partnership with the Massachusetts Institute of Technology.",
            "Barack Obama flew to Tokyo.",
            "President Clinton said on Monday that Washington would not send troops to Bosnia.",
            "Heavy rain flooded parts of Bangladesh , killing at least 12 people , officials said .",
            "Microsoft Corp. reported quarterly earnings of 1.23 billion dollars.",
            "東京 🙂 café naïve façade",
            "Leeds 2 Arsenal 1",
            "Scientists at CERN in Geneva observed a new particle.",
            "The Dow Jones industrial average rose 45 points to 6,523.",
            "Pakistan beat Sri Lanka by five wickets in Sharjah .",
            "Reuters has not verified these stories and does not vouch for their accuracy .");

    private static Path shipped(String name) {
        Path p = Engines.resolve("model-store/" + name);
        Assumptions.assumeTrue(Files.isRegularFile(p.resolve("model.onnx")), "skipped: no bundle at " + p);
        return p;
    }

    @Test
    void fp32ResultsDoNotDependOnBatchMates() {
        assertIndependent(shipped("minilm-l6-conll03-agnews"), FP32_BOUND);
    }

    @Test
    void int8ResultsDoNotDependOnBatchMates() {
        assertIndependent(shipped("minilm-l6-conll03-agnews-int8"), INT8_BOUND);
    }

    /**
     * Each text alone vs inside a batch of {@link #BATCH} with random others (seeded), one batch per text; fails
     * naming the text whose result moved most (entities or a score beyond {@code bound}), after checking all.
     */
    static void assertIndependent(Path bundle, double bound) {
        try (OnnxEnrichmentEngine engine =
                OnnxEnrichmentEngine.open(EngineOptions.of(bundle).withMaxBucketRows(BATCH))) {
            List<Enrichment> alone = new ArrayList<>();
            for (String t : TEXTS) {
                alone.add(engine.infer(List.of(engine.encode(t))).results().get(0));
            }
            // the model does find entities: otherwise the comparison proves little
            assertTrue(alone.stream().mapToInt(e -> e.entities().size()).sum() > 40);
            Random rnd = new Random(20);
            double worst = 0;
            String worstText = null;
            List<String> changed = new ArrayList<>();
            for (int i = 0; i < TEXTS.size(); i++) {
                List<Integer> others = new ArrayList<>();
                for (int k = 0; k < TEXTS.size(); k++) {
                    if (k != i) {
                        others.add(k);
                    }
                }
                Collections.shuffle(others, rnd);
                List<Integer> batch = new ArrayList<>(others.subList(0, BATCH - 1));
                batch.add(rnd.nextInt(BATCH), i);
                List<Enrichment> got = engine.infer(batch.stream()
                                .map(k -> engine.encode(TEXTS.get(k)))
                                .toList())
                        .results();
                Enrichment a = alone.get(i);
                Enrichment b = got.get(batch.indexOf(i));
                if (!spans(a.entities()).equals(spans(b.entities()))
                        || !a.topic().label().equals(b.topic().label())) {
                    changed.add("'" + TEXTS.get(i) + "': " + spans(a.entities()) + " "
                            + a.topic().label() + " alone, " + spans(b.entities()) + " "
                            + b.topic().label() + " in the batch");
                    continue;
                }
                double d = maxScoreDiff(a, b);
                if (d > worst) {
                    worst = d;
                    worstText = TEXTS.get(i);
                }
            }
            assertEquals(
                    List.of(),
                    changed,
                    bundle + ": entities or topic changed in a batch of " + BATCH
                            + " (and a score of the other texts moved by " + worst + ")");
            assertTrue(
                    worst <= bound,
                    bundle + ": a score moved by " + worst + " (bound " + bound + ") for '" + worstText
                            + "' in a batch of " + BATCH + " vs alone");
        }
    }

    private static double maxScoreDiff(Enrichment a, Enrichment b) {
        double worst = 0;
        for (int k = 0; k < a.entities().size(); k++) {
            worst = Math.max(
                    worst,
                    Math.abs(a.entities().get(k).score() - b.entities().get(k).score()));
        }
        for (Map.Entry<String, Double> e : a.topic().scores().entrySet()) {
            worst = Math.max(worst, Math.abs(e.getValue() - b.topic().scores().get(e.getKey())));
        }
        return worst;
    }

    private static List<String> spans(List<Entity> entities) {
        return entities.stream()
                .map(e -> e.label() + "/" + e.start() + "/" + e.end() + "/" + e.text())
                .toList();
    }
}
