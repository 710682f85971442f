package io.streamnlp.eval;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * conlleval semantics: a predicted entity counts only when its type and both boundaries equal a gold
 * entity's. Accumulates over sentences of IOB2 tags; prints conlleval's summary and a per-type table.
 */
public final class ChunkScorer {
    private record Chunk(int sentence, int start, int end, String type) {}

    private final Set<Chunk> gold = new HashSet<>();
    private final Set<Chunk> found = new HashSet<>();
    private long tokens;
    private long correctTags;
    private int sentence;

    public void add(List<String> goldTags, List<String> predictedTags) {
        if (goldTags.size() != predictedTags.size()) {
            throw new IllegalArgumentException("gold and predicted differ in length");
        }
        gold.addAll(chunks(sentence, goldTags));
        found.addAll(chunks(sentence, predictedTags));
        for (int i = 0; i < goldTags.size(); i++) {
            if (goldTags.get(i).equals(predictedTags.get(i))) {
                correctTags++;
            }
        }
        tokens += goldTags.size();
        sentence++;
    }

    static List<Chunk> chunks(int sentence, List<String> tags) {
        List<Chunk> out = new ArrayList<>();
        int start = -1;
        String type = null;
        for (int i = 0; i <= tags.size(); i++) {
            String tag = i < tags.size() ? tags.get(i) : "O";
            boolean inside =
                    tag.startsWith("I-") && type != null && tag.substring(2).equals(type);
            if (!inside && type != null) {
                out.add(new Chunk(sentence, start, i, type));
                type = null;
            }
            if (tag.startsWith("B-") || (tag.startsWith("I-") && !inside)) {
                start = i;
                type = tag.substring(2);
            }
        }
        return out;
    }

    public long tokens() {
        return tokens;
    }

    public int goldPhrases() {
        return gold.size();
    }

    public int foundPhrases() {
        return found.size();
    }

    public int correctPhrases() {
        int n = 0;
        for (Chunk c : found) {
            if (gold.contains(c)) n++;
        }
        return n;
    }

    /** Overall entity-level F1, in percent. */
    public double f1() {
        return f1(null)[2];
    }

    /** precision, recall, F1 (percent) and support for a type, or overall when type is null. */
    public double[] f1(String type) {
        int g = 0, f = 0, c = 0;
        for (Chunk x : gold) if (type == null || x.type().equals(type)) g++;
        for (Chunk x : found) {
            if (type == null || x.type().equals(type)) {
                f++;
                if (gold.contains(x)) c++;
            }
        }
        double p = f == 0 ? 0 : 100.0 * c / f;
        double r = g == 0 ? 0 : 100.0 * c / g;
        double fb = p + r == 0 ? 0 : 2 * p * r / (p + r);
        return new double[] {p, r, fb, g, f};
    }

    public Set<String> types() {
        Set<String> t = new TreeSet<>();
        gold.forEach(c -> t.add(c.type()));
        found.forEach(c -> t.add(c.type()));
        return t;
    }

    /** conlleval's summary lines, then a per-type precision/recall/F1/support table. */
    public String report() {
        StringBuilder sb = new StringBuilder();
        double[] all = f1(null);
        sb.append(String.format(
                Locale.ROOT,
                "processed %d tokens with %d phrases; found: %d phrases; correct: %d.%n",
                tokens,
                goldPhrases(),
                foundPhrases(),
                correctPhrases()));
        sb.append(String.format(
                Locale.ROOT,
                "accuracy: %6.2f%%; precision: %6.2f%%; recall: %6.2f%%; FB1: %6.2f%n",
                tokens == 0 ? 0 : 100.0 * correctTags / tokens,
                all[0],
                all[1],
                all[2]));
        Map<String, double[]> per = new TreeMap<>();
        for (String t : types()) per.put(t, f1(t));
        per.forEach((t, v) -> sb.append(String.format(
                Locale.ROOT, "%17s: precision: %6.2f%%; recall: %6.2f%%; FB1: %6.2f  %d%n", t, v[0], v[1], v[2], (int)
                        v[4])));
        sb.append(System.lineSeparator());
        sb.append(String.format(
                Locale.ROOT, "%-12s %9s %9s %9s %9s%n", "tag", "precision", "recall", "f1-score", "support"));
        per.forEach((t, v) -> sb.append(
                String.format(Locale.ROOT, "%-12s %9.2f %9.2f %9.2f %9d%n", t, v[0], v[1], v[2], (int) v[3])));
        sb.append(String.format(
                Locale.ROOT, "%-12s %9.2f %9.2f %9.2f %9d%n", "micro avg", all[0], all[1], all[2], (int) all[3]));
        double mp = 0, mr = 0, mf = 0;
        for (double[] v : per.values()) {
            mp += v[0];
            mr += v[1];
            mf += v[2];
        }
        int n = Math.max(1, per.size());
        sb.append(String.format(
                Locale.ROOT, "%-12s %9.2f %9.2f %9.2f %9d%n", "macro avg", mp / n, mr / n, mf / n, (int) all[3]));
        return sb.toString();
    }
}
