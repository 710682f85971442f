package io.streamnlp.bench;

import io.streamnlp.eval.ConllDocument;
import io.streamnlp.eval.LabeledTexts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The benchmark's input: a realistic mix of lengths (or, for the short-record scenario, sentence-sized texts only),
 * the same for every measurement of one run.
 * From {@code ../shared/datasets} when it exists: CoNLL-2003 dev sentences (a sentence stream, mostly
 * short), AG News rows (headline + lead, ~40-60 tokens), headlines alone (~10 tokens) and multi-paragraph
 * articles of 4-12 concatenated rows (~250-700 tokens: several windows). Else bundled sample texts mixed
 * the same way. Deterministic (fixed seed).
 */
public final class BenchTexts {
    /** Where the texts came from, and the texts. */
    public record Corpus(String source, List<String> texts) {}

    private BenchTexts() {}

    /** The sources the texts are drawn from: sentences and news rows, and where they came from. */
    private record Sources(String source, List<String> sentences, List<String> rows) {}

    /** {@code count} texts: 45% CoNLL sentences, 15% headlines, 30% news rows, 10% long articles. */
    public static Corpus load(Path sharedDir, int count) {
        Sources s = sources(sharedDir);
        return new Corpus(s.source(), mix(s.sentences(), s.rows(), count, new Random(42)));
    }

    /**
     * {@code count} sentence-sized texts, the records of a sentence stream: 75% CoNLL sentences, 25% news headlines
     * (the first words of an AG News row), shuffled.
     */
    public static Corpus loadShort(Path sharedDir, int count) {
        Sources s = sources(sharedDir);
        return new Corpus(s.source(), shortMix(s.sentences(), s.rows(), count, new Random(42)));
    }

    private static Sources sources(Path sharedDir) {
        List<String> sentences = new ArrayList<>();
        List<String> rows = new ArrayList<>();
        Path conll = sharedDir == null ? null : sharedDir.resolve("datasets/conll2003/eng.testa");
        Path ag = sharedDir == null ? null : sharedDir.resolve("datasets/ag_news/dev.csv");
        if (conll != null && ag != null && Files.isRegularFile(conll) && Files.isRegularFile(ag)) {
            try {
                for (ConllDocument.Sentence s : ConllDocument.read(conll)) {
                    String t = s.text();
                    if (!t.startsWith("-DOCSTART-") && !t.isBlank()) {
                        sentences.add(t);
                    }
                }
                for (LabeledTexts.Row r : LabeledTexts.read(ag)) {
                    rows.add(r.text().replace("\\$", "$").strip());
                }
                return new Sources(conll + " + " + ag, sentences, rows);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the benchmark data: " + e.getMessage(), e);
            }
        }
        return new Sources("bundled sample texts (../shared/datasets not found)", SAMPLE_SENTENCES, SAMPLE_ROWS);
    }

    static List<String> shortMix(List<String> sentences, List<String> rows, int count, Random rnd) {
        List<String> out = new ArrayList<>(count);
        int si = 0;
        int ri = 0;
        for (int i = 0; i < count; i++) {
            out.add(i % 4 < 3 ? sentences.get(si++ % sentences.size()) : headline(rows.get(ri++ % rows.size())));
        }
        Collections.shuffle(out, rnd);
        return out;
    }

    static List<String> mix(List<String> sentences, List<String> rows, int count, Random rnd) {
        List<String> out = new ArrayList<>(count);
        int si = 0;
        int ri = 0;
        for (int i = 0; i < count; i++) {
            int kind = i % 20; // 9 sentences, 3 headlines, 6 rows, 2 articles per 20
            if (kind < 9) {
                out.add(sentences.get(si++ % sentences.size()));
            } else if (kind < 12) {
                out.add(headline(rows.get(ri++ % rows.size())));
            } else if (kind < 18) {
                out.add(rows.get(ri++ % rows.size()));
            } else {
                int n = 4 + rnd.nextInt(9);
                StringBuilder b = new StringBuilder();
                for (int k = 0; k < n; k++) {
                    if (k > 0) {
                        b.append("\n\n");
                    }
                    b.append(rows.get(ri++ % rows.size()));
                }
                out.add(b.toString());
            }
        }
        Collections.shuffle(out, rnd);
        return out;
    }

    /** The first words of a news row: AG News rows are "headline lead", the headline is ~6-12 words. */
    private static String headline(String row) {
        String[] words = row.split("\\s+");
        int n = Math.min(words.length, 6 + Math.floorMod(row.hashCode(), 7));
        return String.join(" ", Arrays.asList(words).subList(0, n));
    }

    static final List<String> SAMPLE_SENTENCES = List.of(
            "Angela Merkel met Emmanuel Macron in Berlin on Tuesday to discuss the future of the European Union.",
            "Manchester United beat Arsenal 2-1 at Old Trafford on Saturday.",
            "Apple shares rose 3 percent after the company reported record iPhone sales.",
            "The United Nations Security Council will meet in New York on Friday.",
            "Roger Federer won his first match at Wimbledon in straight sets.",
            "Microsoft released a new version of Windows for business customers.",
            "Police in Paris arrested two men after the robbery.",
            "Toyota plans to build a new plant in Kentucky, a spokesman said.",
            "Peace talks between Israel and the Palestinians resumed in Cairo.",
            "The Federal Reserve left interest rates unchanged.");

    static final List<String> SAMPLE_ROWS = List.of(
            "Oil prices climb as supply worries persist Crude oil prices rose on Monday as traders worried about supplies "
                    + "from Iraq and Nigeria, while OPEC said it would keep output steady for the rest of the year.",
            "Scientists find water ice near the lunar south pole NASA researchers said on Wednesday that data from an orbiting "
                    + "probe showed deposits of water ice in permanently shadowed craters, a finding that could help future missions.",
            "Yankees rally past Red Sox in extra innings Derek Jeter singled home the winning run in the 12th inning as the "
                    + "New York Yankees beat the Boston Red Sox 5-4 on Sunday night.",
            "European leaders agree on budget after marathon talks Leaders of the European Union reached a deal early on "
                    + "Saturday on the bloc's budget for the next seven years after two days of negotiations in Brussels.",
            "Chip maker posts higher quarterly profit Intel Corp. said on Tuesday its third-quarter profit rose 15 percent, "
                    + "helped by strong demand for processors used in servers and notebook computers.",
            "Storm batters coast, thousands without power A powerful storm swept across the Gulf Coast on Thursday, knocking "
                    + "out power to more than 200,000 homes and forcing the closure of schools and airports.");
}
