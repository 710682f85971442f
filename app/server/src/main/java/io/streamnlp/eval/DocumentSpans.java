package io.streamnlp.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The document unit's bookkeeping: a document event's entities cut back into its sentences (offsets
 * shifted to each sentence's own text, so they score against the file's tokens per sentence and compare
 * with the sentence unit's events one for one), and the consistency of the two units.
 */
public final class DocumentSpans {
    private static final Comparator<SpanTagger.Span> ORDER = Comparator.comparingInt(SpanTagger.Span::start)
            .thenComparingInt(SpanTagger.Span::end)
            .thenComparing(SpanTagger.Span::label);

    private DocumentSpans() {}

    /**
     * Per sentence of {@code d}, the entities that overlap it, shifted to the sentence's offsets. An entity
     * that runs over a sentence separator is cut at it: each sentence gets its part (and the scorer then
     * sees two entities, neither matching gold unless the cut happens to be right), so nothing is dropped.
     */
    public static List<List<SpanTagger.Span>> perSentence(ConllDocument.Document d, List<SpanTagger.Span> entities) {
        List<ConllDocument.Sentence> sentences = d.sentences();
        int[] starts = d.sentenceStarts();
        List<List<SpanTagger.Span>> out = new ArrayList<>(sentences.size());
        for (int i = 0; i < sentences.size(); i++) {
            String t = sentences.get(i).text();
            int from = starts[i];
            int to = from + t.codePointCount(0, t.length());
            List<SpanTagger.Span> mine = new ArrayList<>();
            for (SpanTagger.Span e : entities) {
                if (e.start() < to && from < e.end()) {
                    mine.add(new SpanTagger.Span(
                            Math.max(e.start(), from) - from, Math.min(e.end(), to) - from, e.label()));
                }
            }
            out.add(mine);
        }
        return out;
    }

    /** How many sentences got the same entities inside their document as alone. */
    public record Consistency(int sentences, int consistent) {
        public double percent() {
            return sentences == 0 ? 0 : 100.0 * consistent / sentences;
        }

        public String report() {
            return String.format(
                    Locale.ROOT,
                    "consistency: %.2f %% of %d sentences (entities inside the document = the sentence alone)%n",
                    percent(),
                    sentences);
        }
    }

    /** Accumulates {@link Consistency} sentence by sentence. */
    public static final class ConsistencyCounter {
        private int sentences;
        private int consistent;

        /**
         * One sentence: its entities inside the document (already shifted, see {@link #perSentence}) and
         * alone; null for an event that did not come back, which counts as inconsistent (unverified).
         */
        public void add(List<SpanTagger.Span> inDocument, List<SpanTagger.Span> alone) {
            sentences++;
            if (inDocument != null && alone != null && sorted(inDocument).equals(sorted(alone))) {
                consistent++;
            }
        }

        public Consistency result() {
            return new Consistency(sentences, consistent);
        }
    }

    private static List<SpanTagger.Span> sorted(List<SpanTagger.Span> spans) {
        List<SpanTagger.Span> s = new ArrayList<>(spans);
        s.sort(ORDER);
        return s;
    }

    /** The spans of an entity event, or null when it did not come back. */
    static List<SpanTagger.Span> spansOf(JsonNode event) {
        return event == null ? null : SpanTagger.spans(event.path("entities"));
    }
}
