package io.streamnlp.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoringTest {

    @Test
    void iob1IsConvertedToIob2() {
        assertEquals(
                List.of("B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC", "B-ORG"),
                ConllDocument.toIob2(List.of("I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-LOC", "I-ORG")));
        assertEquals(List.of("B-PER", "B-MISC", "I-MISC"), ConllDocument.toIob2(List.of("B-PER", "B-MISC", "I-MISC")));
    }

    @Test
    void readsConllSkippingDocstartAndBlankLines(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.conll");
        Files.writeString(
                f,
                "-DOCSTART- -X- O O\n\nEU NNP I-NP I-ORG\nrejects VBZ I-VP O\nGerman JJ I-NP I-MISC\n\nPeter NNP I-NP I-PER\nBlackburn NNP I-NP I-PER\n");
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
        assertTrue(
                s.report().startsWith("processed 5 tokens with 2 phrases; found: 3 phrases; correct: 1."), s.report());
        assertTrue(s.report().contains("accuracy:  60.00%"), s.report());
    }

    @Test
    void emittedOffsetsMapBackToTokens() throws Exception {
        ConllDocument.Sentence s = new ConllDocument.Sentence(
                List.of("Zürich", "'s", "Nestlé", "S.A.", "rose"), List.of("B-LOC", "O", "B-ORG", "I-ORG", "O"));
        // "Zürich 's Nestlé S.A. rose": Nestlé S.A. spans code points 10..21
        var entities = new ObjectMapper()
                .readTree("[{\"start\":0,\"end\":6,\"label\":\"LOC\"},{\"start\":10,\"end\":21,\"label\":\"ORG\"}]");
        assertEquals(List.of("B-LOC", "O", "B-ORG", "I-ORG", "O"), SpanTagger.tags(s, entities));
        // an entity covering part of a token still tags that token
        var partial = new ObjectMapper().readTree("[{\"start\":10,\"end\":13,\"label\":\"ORG\"}]");
        assertEquals(List.of("O", "O", "B-ORG", "O", "O"), SpanTagger.tags(s, partial));
    }

    @Test
    void classificationReport(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("dev.csv");
        Files.writeString(
                f,
                "\"label\",\"text\"\n\"1\",\"UN talks, \"\"again\"\"\"\n\"2\",\"Cup final\"\n\"3\",\"Stocks\"\n\"3\",\"Bonds\"\n");
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

    @Test
    void documentsAreTheSentencesBetweenDocstartsJoinedByANewline(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.conll");
        Files.writeString(
                f,
                "Lead NN O O\n\n-DOCSTART- -X- O O\n\nEU NNP I-NP I-ORG\nrejects VBZ I-VP O\n\nPeter NNP I-NP I-PER\n"
                        + "Blackburn NNP I-NP I-PER\n\n-DOCSTART- -X- O O\n\n-DOCSTART- -X- O O\n\nZürich NNP I-NP I-LOC\n");
        List<ConllDocument.Document> docs = ConllDocument.readDocuments(f);
        // sentences before the first -DOCSTART- are a document; an empty one is dropped
        assertEquals(3, docs.size());
        assertEquals("EU rejects\nPeter Blackburn", docs.get(1).text());
        assertEquals(
                List.of(0, 11),
                Arrays.stream(docs.get(1).sentenceStarts()).boxed().toList());
        assertEquals(4, ConllDocument.read(f).size());
        // each sentence published inside its document is the sentence unit's text, unchanged
        for (ConllDocument.Document d : docs) {
            int[] starts = d.sentenceStarts();
            for (int i = 0; i < d.sentences().size(); i++) {
                String t = d.sentences().get(i).text();
                assertEquals(t, d.text().substring(starts[i], starts[i] + t.length()));
            }
        }
    }

    private static ConllDocument.Document twoSentences() {
        return new ConllDocument.Document(List.of(
                new ConllDocument.Sentence(
                        List.of("Zürich", "'s", "Nestlé", "rose"), List.of("B-LOC", "O", "B-ORG", "O")),
                new ConllDocument.Sentence(List.of("Peter", "Blackburn", "left"), List.of("B-PER", "I-PER", "O"))));
    }

    @Test
    void documentOffsetsMapBackToEachSentencesTokens() {
        ConllDocument.Document d = twoSentences();
        // "Zürich 's Nestlé rose\nPeter Blackburn left": the second sentence starts at code point 22
        assertEquals(22, d.sentenceStarts()[1]);
        List<SpanTagger.Span> emitted = List.of(
                new SpanTagger.Span(0, 6, "LOC"),
                new SpanTagger.Span(10, 16, "ORG"),
                new SpanTagger.Span(22, 37, "PER"));
        List<List<SpanTagger.Span>> parts = DocumentSpans.perSentence(d, emitted);
        assertEquals(List.of(new SpanTagger.Span(0, 6, "LOC"), new SpanTagger.Span(10, 16, "ORG")), parts.get(0));
        assertEquals(List.of(new SpanTagger.Span(0, 15, "PER")), parts.get(1));
        assertEquals(
                List.of("B-PER", "I-PER", "O"), SpanTagger.tags(d.sentences().get(1), parts.get(1)));
        // an entity running over the separator is cut into both sentences, not dropped
        List<List<SpanTagger.Span>> across = DocumentSpans.perSentence(d, List.of(new SpanTagger.Span(17, 27, "ORG")));
        assertEquals(List.of(new SpanTagger.Span(17, 21, "ORG")), across.get(0));
        assertEquals(List.of(new SpanTagger.Span(0, 5, "ORG")), across.get(1));
    }

    @Test
    void documentScoresArePerSentenceAndConsistencyComparesBothUnits() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ConllDocument.Document d = twoSentences();
        // the document found LOC, ORG and PER right; alone, the first sentence missed ORG and the second agreed
        var docEvent = json.readTree("{\"entities\":[{\"start\":0,\"end\":6,\"label\":\"LOC\"},"
                + "{\"start\":10,\"end\":16,\"label\":\"ORG\"},{\"start\":22,\"end\":37,\"label\":\"PER\"}]}");
        var alone0 = json.readTree("{\"entities\":[{\"start\":0,\"end\":6,\"label\":\"LOC\"}]}");
        var alone1 = json.readTree("{\"entities\":[{\"start\":0,\"end\":15,\"label\":\"PER\"}]}");
        EvalRunner.Collected docs = new EvalRunner.Collected(Map.of(0, docEvent), 0, 0, 1);
        EvalRunner.Collected sentences = new EvalRunner.Collected(Map.of(0, alone0, 1, alone1), 0, 0, 1);

        ChunkScorer byDocument = EvalRunner.scoreNerDocuments(List.of(d), docs);
        assertEquals(100.0, byDocument.f1(), 1e-9);
        assertEquals(7, byDocument.tokens());
        ChunkScorer bySentence = EvalRunner.scoreNer(d.sentences(), sentences);
        assertEquals(2, bySentence.correctPhrases());
        assertEquals(3, bySentence.goldPhrases());

        DocumentSpans.Consistency c = EvalRunner.consistency(List.of(d), docs, sentences);
        assertEquals(2, c.sentences());
        assertEquals(1, c.consistent());
        assertEquals(
                "consistency: 50.00 % of 2 sentences (entities inside the document = the sentence alone)\n",
                c.report());
        // a document that did not come back: its sentences cannot be checked and do not count as consistent
        EvalRunner.Collected none = new EvalRunner.Collected(Map.of(), 0, 1, 1);
        assertEquals(0, EvalRunner.consistency(List.of(d), none, sentences).consistent());
        assertEquals(0.0, EvalRunner.scoreNerDocuments(List.of(d), none).f1(), 1e-9);
        // order does not matter, offsets and types do
        DocumentSpans.ConsistencyCounter counter = new DocumentSpans.ConsistencyCounter();
        counter.add(
                List.of(new SpanTagger.Span(5, 9, "PER"), new SpanTagger.Span(0, 3, "LOC")),
                List.of(new SpanTagger.Span(0, 3, "LOC"), new SpanTagger.Span(5, 9, "PER")));
        counter.add(List.of(new SpanTagger.Span(0, 3, "LOC")), List.of(new SpanTagger.Span(0, 3, "ORG")));
        counter.add(List.of(new SpanTagger.Span(0, 3, "LOC")), List.of(new SpanTagger.Span(0, 4, "LOC")));
        assertEquals(new DocumentSpans.Consistency(3, 1), counter.result());
    }
}
