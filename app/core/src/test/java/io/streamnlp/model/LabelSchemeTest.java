package io.streamnlp.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class LabelSchemeTest {
    @Test
    void detect() {
        assertEquals(LabelScheme.IOB2, LabelScheme.detect(List.of("O", "B-MISC", "I-MISC", "B-PER", "I-PER")));
        assertEquals(LabelScheme.IO, LabelScheme.detect(List.of("O", "MISC", "PER", "ORG", "LOC")));
        assertEquals(LabelScheme.BIOES, LabelScheme.detect(List.of("O", "B-PER", "I-PER", "E-PER", "S-PER")));
        assertNull(LabelScheme.detect(List.of("O", "U-PER", "L-PER")));
        assertNull(LabelScheme.detect(List.of("O", "B-PER", "LOC")));
    }

    @Test
    void parse() {
        assertEquals(LabelScheme.IOB1, LabelScheme.parse("iob1"));
        assertEquals(LabelScheme.IOB2, LabelScheme.parse("BIO"));
        assertNull(LabelScheme.parse("BILOU"));
    }
}
