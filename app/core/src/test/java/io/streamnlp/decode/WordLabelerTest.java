package io.streamnlp.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamnlp.model.Aggregation;
import org.junit.jupiter.api.Test;

class WordLabelerTest {
    // three sub-tokens of one word, three labels (O, B-PER, B-LOC), one row per token
    private static final float[] LOGITS = {
        0f, 2f, 0f, // first: B-PER, p = e^2/(e^2+2) = 0.787
        0f, 0f, 3f, // second: B-LOC, p = 0.910
        0f, 0f, 2.5f // third: B-LOC, p = 0.859
    };

    @Test
    void firstTakesTheFirstSubToken() {
        WordLabeler l = new WordLabeler(3, Aggregation.FIRST);
        assertEquals(1, l.decide(LOGITS, 0, 3));
        assertEquals(Math.exp(2) / (Math.exp(2) + 2), l.probability(), 1e-9);
    }

    @Test
    void averageAveragesProbabilities() {
        WordLabeler l = new WordLabeler(3, Aggregation.AVERAGE);
        double p1 = Math.exp(2) / (Math.exp(2) + 2);
        double q = (1 - p1) / 2;
        double p2 = Math.exp(3) / (Math.exp(3) + 2);
        double p3 = Math.exp(2.5) / (Math.exp(2.5) + 2);
        double loc = (q + p2 + p3) / 3;
        assertEquals(2, l.decide(LOGITS, 0, 3));
        assertEquals(loc, l.probability(), 1e-9);
        // the average decides, not the majority: a confident first token outvotes two weak ones
        float[] split = {0f, 9f, 0f, 0f, 0f, 0.5f, 0f, 0f, 0.5f};
        assertEquals(1, l.decide(split, 0, 3));
    }

    @Test
    void maxTakesTheMostConfidentSubToken() {
        WordLabeler l = new WordLabeler(3, Aggregation.MAX);
        assertEquals(2, l.decide(LOGITS, 0, 3));
        assertEquals(Math.exp(3) / (Math.exp(3) + 2), l.probability(), 1e-9);
        float[] firstWins = {0f, 9f, 0f, 0f, 0f, 3f};
        assertEquals(1, l.decide(firstWins, 0, 2));
    }

    @Test
    void offsetSelectsTheWord() {
        WordLabeler l = new WordLabeler(3, Aggregation.FIRST);
        assertEquals(2, l.decide(LOGITS, 3, 2));
    }

    @Test
    void parse() {
        assertEquals(Aggregation.AVERAGE, Aggregation.parse("Average"));
        assertEquals(null, Aggregation.parse(" "));
    }
}
