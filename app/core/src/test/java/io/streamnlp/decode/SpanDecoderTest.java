package io.streamnlp.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamnlp.api.event.Entity;
import io.streamnlp.model.LabelScheme;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpanDecoderTest {
    private static final List<String> IOB = List.of("O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG");
    private static final List<String> BIOES =
            List.of("O", "B-PER", "I-PER", "E-PER", "S-PER", "B-LOC", "I-LOC", "E-LOC", "S-LOC");
    private static final List<String> IO = List.of("O", "MISC", "PER", "ORG", "LOC");

    /** Decodes space-separated words, one label per word; returns "text/TYPE" per entity. */
    private static List<String> decode(List<String> labels, LabelScheme scheme, String text, String... wordLabels) {
        String[] words = text.split(" ");
        assertEquals(words.length, wordLabels.length);
        int[] start = new int[words.length];
        int[] end = new int[words.length];
        int[] label = new int[words.length];
        double[] prob = new double[words.length];
        int at = 0;
        for (int w = 0; w < words.length; w++) {
            start[w] = at;
            end[w] = at + words[w].length();
            at = end[w] + 1;
            label[w] = labels.indexOf(wordLabels[w]);
            prob[w] = 0.5 + w * 0.1;
        }
        List<Entity> entities = new SpanDecoder(labels, scheme).decode(text, words.length, label, prob, start, end);
        List<String> out = new ArrayList<>();
        for (Entity e : entities) {
            assertEquals(text.substring(e.start(), e.end()), e.text());
            out.add(e.text() + "/" + e.label());
        }
        return out;
    }

    @Test
    void iob2() {
        assertEquals(
                List.of("John Smith/PER", "New York/LOC"),
                decode(
                        IOB,
                        LabelScheme.IOB2,
                        "John Smith lives in New York",
                        "B-PER",
                        "I-PER",
                        "O",
                        "O",
                        "B-LOC",
                        "I-LOC"));
        // B- splits adjacent same-type entities
        assertEquals(
                List.of("Paris/LOC", "London/LOC"), decode(IOB, LabelScheme.IOB2, "Paris London", "B-LOC", "B-LOC"));
        // lenient: I- after O starts an entity; I- of another type starts a new one
        assertEquals(
                List.of("York/LOC", "Smith/PER", "Inc/ORG"),
                decode(IOB, LabelScheme.IOB2, "York and Smith Inc", "I-LOC", "O", "I-PER", "I-ORG"));
    }

    @Test
    void iob1() {
        // CoNLL IOB1: I- starts entities; B- only between two same-type neighbours
        assertEquals(
                List.of("John Smith/PER", "Mary/PER", "Paris/LOC"),
                decode(IOB, LabelScheme.IOB1, "John Smith Mary in Paris", "I-PER", "I-PER", "B-PER", "O", "I-LOC"));
        assertEquals(List.of("Paris/LOC", "Smith/PER"), decode(IOB, LabelScheme.IOB1, "Paris Smith", "I-LOC", "I-PER"));
    }

    @Test
    void io() {
        assertEquals(
                List.of("Jean Baptiste/PER", "Paris/LOC", "EU/ORG"),
                decode(IO, LabelScheme.IO, "Jean Baptiste Paris and EU", "PER", "PER", "LOC", "O", "ORG"));
    }

    @Test
    void bioes() {
        assertEquals(
                List.of("John Ronald Tolkien/PER", "Oxford/LOC", "Bob/PER"),
                decode(
                        BIOES,
                        LabelScheme.BIOES,
                        "John Ronald Tolkien in Oxford Bob",
                        "B-PER",
                        "I-PER",
                        "E-PER",
                        "O",
                        "S-LOC",
                        "S-PER"));
        // S- closes: two singles in a row are two entities; B..E then E of same type: E alone is a single
        assertEquals(
                List.of("Ann/PER", "Bob/PER", "New York/LOC", "City/LOC"),
                decode(BIOES, LabelScheme.BIOES, "Ann Bob New York City", "S-PER", "S-PER", "B-LOC", "E-LOC", "E-LOC"));
        // lenient: I- without B- starts one, B- without E- ends at O
        assertEquals(
                List.of("Big Apple/LOC", "Bob/PER"),
                decode(BIOES, LabelScheme.BIOES, "Big Apple Bob x", "I-LOC", "I-LOC", "B-PER", "O"));
    }

    @Test
    void scoreIsMeanOfWordProbabilities() {
        String text = "a b c";
        List<Entity> e = new SpanDecoder(IOB, LabelScheme.IOB2)
                .decode(text, 3, new int[] {1, 2, 0}, new double[] {0.9, 0.7, 0.1}, new int[] {0, 2, 4}, new int[] {
                    1, 3, 5
                });
        assertEquals(1, e.size());
        assertEquals(0.8, e.get(0).score(), 1e-12);
        assertEquals(new Entity("a b", "PER", 0, 3, e.get(0).score()), e.get(0));
    }

    @Test
    void offsetsAreCodePoints() {
        // "😀 Zoë" : the emoji is one code point but two chars
        String text = "\uD83D\uDE00 Zoe\u0308";
        List<Entity> e = new SpanDecoder(IOB, LabelScheme.IOB2)
                .decode(text, 2, new int[] {0, 1}, new double[] {1, 1}, new int[] {0, 2}, new int[] {1, 6});
        assertEquals(List.of(new Entity("Zoe\u0308", "PER", 2, 6, 1.0)), e);
    }
}
