package io.streamnlp.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoringTest {

    @Test
    void iob1IsConvertedToIob2() {
        assertEquals(List.of("B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC", "B-ORG"),
                ConllDocument.toIob2(List.of("I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-LOC", "I-ORG")));
        assertEquals(List.of("B-PER", "B-MISC", "I-MISC"), ConllDocument.toIob2(List.of("B-PER", "B-MISC", "I-MISC")));
    }

    @Test
    void readsConllSkippingDocstartAndBlankLines(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.conll");
        Files.writeString(f, "-DOCSTART- -X- O O\n\nEU NNP I-NP I-ORG\nrejects VBZ I-VP O\nGerman JJ I-NP I-MISC\n\nPeter NNP I-NP I-PER\nBlackburn NNP I-NP I-PER\n");
        List<ConllDocument.Sentence> s = ConllDocument.read(f);
        assertEquals(2, s.size());
        assertEquals("EU rejects German", s.get(0).text());
        assertEquals(List.of("B-ORG", "O", "B-MISC"), s.get(0).gold());
        assertEquals(List.of("B-PER", "I-PER"), s.get(1).gold());
    }

    @Test
    void conllevalCountsWholeEntitiesOnly() {
        ChunkScorer s = new ChunkScorer();
        // gold: PER(0-2) LOC(3)   predicted: PER(0-1) [boundary wrong] LOC(3) [right] ORG(4) [spurious]
        s.add(List.of("B-PER", "I-PER", "O", "B-LOC", "O"), List.of("B-PER", "O", "O", "B-LOC", "B-ORG"));
        assertEquals(2, s.goldPhrases());
        assertEquals(3, s.foundPhrases());
        assertEquals(1, s.correctPhrases());
        double[] all = s.f1(null);
        assertEquals(100.0 / 3, all[0], 1e-9);
        assertEquals(50.0, all[1], 1e-9);
        assertEquals(40.0, all[2], 1e-9);
        assertEquals(100.0, s.f1("LOC")[2], 1e-9);
        assertEquals(0.0, s.f1("PER")[2], 1e-9);
        assertTrue(s.report().startsWith("processed 5 tokens with 2 phrases; found: 3 phrases; correct: 1."), s.report());
        assertTrue(s.report().contains("accuracy:  60.00%"), s.report());
    }

    @Test
    void emittedOffsetsMapBackToTokens() throws Exception {
        ConllDocument.Sentence s = new ConllDocument.Sentence(List.of("Zürich", "'s", "Nestlé", "S.A.", "rose"),
                List.of("B-LOC", "O", "B-ORG", "I-ORG", "O"));
        // "Zürich 's Nestlé S.A. rose": Nestlé S.A. spans code points 10..21
        var entities = new ObjectMapper().readTree("[{\"start\":0,\"end\":6,\"label\":\"LOC\"},{\"start\":10,\"end\":21,\"label\":\"ORG\"}]");
        assertEquals(List.of("B-LOC", "O", "B-ORG", "I-ORG", "O"), SpanTagger.tags(s, entities));
        // an entity covering part of a token still tags that token
        var partial = new ObjectMapper().readTree("[{\"start\":10,\"end\":13,\"label\":\"ORG\"}]");
        assertEquals(List.of("O", "O", "B-ORG", "O", "O"), SpanTagger.tags(s, partial));
    }

    @Test
    void classificationReport(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("dev.csv");
        Files.writeString(f, "\"label\",\"text\"\n\"1\",\"UN talks, \"\"again\"\"\"\n\"2\",\"Cup final\"\n\"3\",\"Stocks\"\n\"3\",\"Bonds\"\n");
        List<LabeledTexts.Row> rows = LabeledTexts.read(f);
        assertEquals(4, rows.size());
        assertEquals("UN talks, \"again\"", rows.get(0).text());
        assertEquals("World", rows.get(0).label());
        ClassificationScorer c = new ClassificationScorer(LabeledTexts.AG_NEWS);
        c.add("World", "World");
        c.add("Sports", "World");
        c.add("Business", "Business");
        c.add("Business", "Sci/Tech");
        assertEquals(50.0, c.accuracy(), 1e-9);
        assertEquals(50.0, c.prf(0)[0], 1e-9); // World precision: 1 of 2
        assertEquals(50.0, c.prf(2)[1], 1e-9); // Business recall: 1 of 2
    }
}
