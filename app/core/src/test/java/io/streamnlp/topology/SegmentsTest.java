package io.streamnlp.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.api.event.Enrichment;
import io.streamnlp.api.event.Entity;
import io.streamnlp.api.event.TopicPrediction;
import io.streamnlp.decode.TopicDecoder;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Where long texts are cut into segments, and how the segments' results become the document's. */
class SegmentsTest {
    @Test
    void cutsFallBetweenSentencesAndCoverTheTextExactly() {
        String text =
                "Mr. Smith went to Washington. He met \"the press.\" Then (he left!) Is it over? Yes.\nNew line here ";
        String doc = text.repeat(50);
        int[] cuts = Segments.cuts(doc, 200);
        assertEquals(0, cuts[0]);
        assertTrue(cuts.length > 10, "cut into many segments: " + cuts.length);
        for (int k = 1; k < cuts.length; k++) {
            assertTrue(cuts[k] - cuts[k - 1] <= 200, "each at most the target");
            assertTrue(
                    Segments.isBoundaryAt(doc, cuts[k], true),
                    "between sentences at " + cuts[k] + ": '" + doc.substring(Math.max(0, cuts[k] - 20), cuts[k]) + "|"
                            + doc.substring(cuts[k], Math.min(doc.length(), cuts[k] + 10)) + "'");
        }
    }

    @Test
    void withoutSentencesItCutsBetweenWordsAndNeverInsideOne() {
        String doc = "alpha beta gamma delta ".repeat(100) + "x".repeat(500) + " tail";
        int[] cuts = Segments.cuts(doc, 64);
        int inside = 0;
        for (int k = 1; k < cuts.length; k++) {
            boolean wordStart =
                    Character.isWhitespace(doc.charAt(cuts[k] - 1)) && !Character.isWhitespace(doc.charAt(cuts[k]));
            boolean inLongRun = doc.charAt(cuts[k]) == 'x' && doc.charAt(cuts[k] - 1) == 'x';
            assertTrue(
                    wordStart || inLongRun,
                    "a word starts at cut " + cuts[k] + " unless the word is longer than a segment");
            inside += wordStart ? 0 : 1;
        }
        assertTrue(inside >= 6 && inside <= 8, "the 500-char word is cut in 64-char pieces: " + inside);
        assertTrue(cuts.length > 20);
        int[] emoji = Segments.cuts("🙂".repeat(1000), 50);
        assertTrue(emoji.length >= 40, "a stretch without spaces is cut inside: " + emoji.length);
        for (int c : emoji) {
            assertTrue(c % 2 == 0, "never between the halves of a surrogate pair: " + c);
        }
        String cjk = "東京で会議が開かれた。安倍首相が出席した！".repeat(40);
        for (int c : Segments.cuts(cjk, 60)) {
            assertTrue(c == 0 || "。！".indexOf(cjk.charAt(c - 1)) >= 0, "CJK cut after a sentence end at " + c);
        }
        assertEquals(1, Segments.cuts("short text.", 64).length);
    }

    @Test
    void mergedTopicIsTheSoftmaxOfTheTokenWeightedMeanLogits() {
        List<String> labels = List.of("World", "Sports", "Business", "Sci/Tech");
        TopicDecoder dec = new TopicDecoder(labels);
        Random r = new Random(3);
        double[][] logits = new double[3][4];
        int[] weights = {5, 11, 2};
        PartialResults p = new PartialResults(new int[] {0, 10, 20}, 1L);
        double[] weighted = new double[4];
        for (int k = 0; k < 3; k++) {
            for (int j = 0; j < 4; j++) {
                logits[k][j] = r.nextGaussian() * 3;
                weighted[j] += logits[k][j] * weights[k];
            }
            TopicPrediction t = dec.predict(logits[k], 1);
            p.finish(k, new Enrichment(List.of(new Entity("x", "PER", 1, 2, 0.9)), t), 100 * k, weights[k]);
        }
        TopicPrediction expected = dec.predict(weighted, 5 + 11 + 2);
        Enrichment merged = p.merge();
        assertEquals(expected.label(), merged.topic().label());
        for (String l : labels) {
            assertEquals(expected.scores().get(l), merged.topic().scores().get(l), 1e-9, l);
        }
        assertEquals(
                List.of(1, 101, 201),
                merged.entities().stream().map(Entity::start).toList(),
                "offsets moved to the whole text");
    }

    @Test
    void partialResultsSurviveTheStoreRoundTrip() {
        String text = "Paris 🙂 and Acme. ".repeat(3);
        PartialResults p = new PartialResults(new int[] {0, 19, 38}, 1L);
        TopicPrediction t = new TopicDecoder(List.of("A", "B")).predict(new double[] {1, 2}, 1);
        p.finish(1, new Enrichment(List.of(new Entity("Acme", "ORG", 12, 16, 0.5)), t), 18, 7);
        PartialResults back = PartialResults.deserialize(p.serialize(), text, 1L);
        assertEquals(
                List.of(0, 19, 38),
                IntStream.range(0, back.count()).map(back::start).boxed().toList());
        assertEquals(1, back.finished());
        assertEquals(p.result(1), back.result(1));
        assertEquals(
                "Acme",
                back.result(1).enrichment().entities().get(0).text(),
                "entity text sliced from the document by code points");
    }

    @Test
    void partialResultsOfAnotherRecordAreNotTaken() {
        String text = "Paris and Acme. ".repeat(3);
        PartialResults p = new PartialResults(new int[] {0, 16, 32}, PartialResults.fingerprint("in", 0, 7, text));
        p.finish(0, new Enrichment(List.of(), null), 0, 3);
        byte[] kept = p.serialize();
        assertEquals(
                1,
                PartialResults.deserialize(kept, text, PartialResults.fingerprint("in", 0, 7, text))
                        .finished());
        assertEquals(
                null,
                PartialResults.deserialize(kept, text, PartialResults.fingerprint("in", 0, 8, text)),
                "a record that took the same sequence number after a restore starts afresh");
        byte[] formatOne = kept.clone();
        formatOne[0] = 1;
        assertEquals(null, PartialResults.deserialize(formatOne, text, 0L), "format 1 names no owner: re-run");
    }
}
