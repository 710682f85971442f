package io.streamnlp.inference;

import static io.streamnlp.fixtures.TestBundles.CONLL_IOB2;
import static io.streamnlp.fixtures.TestGraphs.oneHot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamnlp.api.engine.BatchResult;
import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.event.Enrichment;
import io.streamnlp.api.event.Entity;
import io.streamnlp.fixtures.TestBundles;
import io.streamnlp.fixtures.TestGraphs;
import io.streamnlp.model.Aggregation;
import io.streamnlp.model.LabelScheme;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxEnrichmentEngineTest {
    @TempDir
    Path tmp;

    @Test
    void oneBundleServesNerAndTopicInOnePass() {
        Path tok = TestBundles.minilmTokenizer();
        TestGraphs.Lexicon g = TestGraphs.lexicon(30522)
                .tokenHead("token_logits", 9, oneHot(CONLL_IOB2, "O", 8))
                .tokenLogits(TestBundles.id(tok, "obama"), oneHot(CONLL_IOB2, "B-PER", 8))
                .tokenLogits(TestBundles.id(tok, "paris"), oneHot(CONLL_IOB2, "B-LOC", 8))
                .sequenceHead("sequence_logits", 4)
                .sequenceLogits(TestBundles.id(tok, "football"), new float[] {0, 40, 0, 0});
        Path dir = TestBundles.bundle(tmp.resolve("b"))
                .graph(g)
                .tokenizer(tok)
                .config(TestBundles.config("bert", CONLL_IOB2, 30522, 512))
                .manifest("""
                        {"name":"lex","version":"1.2.3","maxLength":64,"stride":8,"lowercase":true,
                         "tasks":{"ner":{"output":"token_logits","labelScheme":"IOB2","labels":%s},
                                  "topic":{"output":"sequence_logits","labels":["World","Sports","Business","Sci/Tech"]}}}
                        """.formatted(json(CONLL_IOB2)))
                .write();
        try (OnnxEnrichmentEngine engine = OnnxEnrichmentEngine.open(EngineOptions.of(dir))) {
            assertEquals("lex@1.2.3", engine.nerModel());
            assertEquals("lex@1.2.3", engine.topicModel());
            String text = "Obama played football in Paris.";
            BatchResult r = engine.infer(List.of(engine.encode(text), engine.encode("nothing here")));
            Enrichment e = r.results().get(0);
            assertEquals(
                    List.of("Obama/PER/0/5", "Paris/LOC/25/30"),
                    e.entities().stream().map(OnnxEnrichmentEngineTest::fmt).toList());
            assertEquals("Sports", e.topic().label());
            assertEquals(List.of(), r.results().get(1).entities());
            assertEquals("World", r.results().get(1).topic().label()); // all-zero logits: ties go to the first label
            assertEquals(2, r.stats().documents());
            assertEquals(2, r.stats().sequences());
        }
    }

    private static float[] logits(int bOrg, float orgValue, int bLoc, float locValue) {
        float[] v = new float[9];
        v[bOrg] = orgValue;
        v[bLoc] = locValue;
        return v;
    }

    private Path aggregationBundle(String manifestAggregation) {
        Path tok = TestBundles.minilmTokenizer();
        long[] tokenization = TestBundles.ids(tok, "tokenization"); // token ##ization
        long[] merkel = TestBundles.ids(tok, "merkel"); // mer ##kel
        assertEquals(2, tokenization.length);
        assertEquals(2, merkel.length);
        int org = CONLL_IOB2.indexOf("B-ORG");
        int loc = CONLL_IOB2.indexOf("B-LOC");
        TestGraphs.Lexicon g = TestGraphs.lexicon(30522)
                .tokenHead("logits", 9, oneHot(CONLL_IOB2, "O", 8))
                // first: ORG p=.48; second: LOC p=.62, ORG p=.38 -> first ORG, average ORG (.43 vs .34), max LOC
                .tokenLogits(tokenization[0], logits(org, 2, loc, 0))
                .tokenLogits(tokenization[1], logits(org, 7.5f, loc, 8))
                // first: ORG p=.48; second: LOC p=.999 -> first ORG, average LOC, max LOC
                .tokenLogits(merkel[0], logits(org, 2, loc, 0))
                .tokenLogits(merkel[1], logits(org, 0, loc, 9));
        return TestBundles.bundle(tmp.resolve("agg-" + manifestAggregation))
                .graph(g)
                .tokenizer(tok)
                .config(TestBundles.config("bert", CONLL_IOB2, 30522, 512))
                .manifest(
                        "{\"tasks\":{\"ner\":{\"output\":\"logits\",\"aggregation\":\"" + manifestAggregation + "\"}}}")
                .write();
    }

    private static List<String> labelsOf(OnnxEnrichmentEngine engine, String text) {
        return engine.infer(List.of(engine.encode(text))).results().get(0).entities().stream()
                .map(e -> e.text() + "/" + e.label())
                .toList();
    }

    @Test
    void aggregationDecidesMultiPieceWords() {
        String text = "Tokenization, Merkel";
        Path dir = aggregationBundle("first");
        EngineOptions base = EngineOptions.of(dir).withTopicBundle(null);
        for (Aggregation a : Aggregation.values()) {
            try (OnnxEnrichmentEngine engine = OnnxEnrichmentEngine.open(base.withAggregation(a))) {
                List<String> expected = switch (a) {
                    case FIRST -> List.of("Tokenization/ORG", "Merkel/ORG");
                    case AVERAGE -> List.of("Tokenization/ORG", "Merkel/LOC");
                    case MAX -> List.of("Tokenization/LOC", "Merkel/LOC");
                };
                assertEquals(expected, labelsOf(engine, text), a.toString());
            }
        }
        // without an override the bundle's own aggregation applies
        try (OnnxEnrichmentEngine engine = OnnxEnrichmentEngine.open(
                EngineOptions.of(aggregationBundle("max")).withTopicBundle(null))) {
            assertEquals(List.of("Tokenization/LOC", "Merkel/LOC"), labelsOf(engine, text));
        }
    }

    @Test
    void iob1BundleReadsConllStyleTags() {
        Path tok = TestBundles.minilmTokenizer();
        TestGraphs.Lexicon g = TestBundles.nerLexicon(
                tok,
                30522,
                CONLL_IOB2,
                "logits",
                Map.of("john", "I-PER", "smith", "I-PER", "mary", "B-PER", "york", "I-LOC"));
        Path dir = TestBundles.bundle(tmp.resolve("iob1"))
                .graph(g)
                .tokenizer(tok)
                .config(TestBundles.config("bert", CONLL_IOB2, 30522, 512))
                .manifest("{\"tasks\":{\"ner\":{\"output\":\"logits\",\"labelScheme\":\"IOB1\"}}}")
                .write();
        try (OnnxEnrichmentEngine engine =
                OnnxEnrichmentEngine.open(EngineOptions.of(dir).withTopicBundle(null))) {
            assertEquals(LabelScheme.IOB1, engine.nerBundle().ner().scheme());
            assertEquals(
                    List.of("John Smith/PER", "Mary/PER", "York/LOC"), labelsOf(engine, "John Smith Mary in York"));
        }
    }

    @Test
    void documentsFromAnotherEngineOrAClosedEngineAreRefused() {
        Path dir = aggregationBundle("first");
        OnnxEnrichmentEngine a = OnnxEnrichmentEngine.open(EngineOptions.of(dir).withTopicBundle(null));
        try (OnnxEnrichmentEngine b =
                OnnxEnrichmentEngine.open(EngineOptions.of(dir).withTopicBundle(null))) {
            EncodedDocument doc = a.encode("x");
            assertThrows(IllegalArgumentException.class, () -> b.infer(List.of(doc)));
            assertThrows(IllegalArgumentException.class, () -> a.encode(null));
            assertEquals(0, a.infer(List.of()).stats().sequences());
            a.close();
            a.close(); // idempotent
            assertThrows(IllegalStateException.class, () -> a.infer(List.of(doc)));
            assertThrows(IllegalStateException.class, () -> a.encode("x"));
        } finally {
            a.close();
        }
    }

    @Test
    void graphsWithoutAttentionMaskOrWithPositionIdsAreFedByTheirDeclaredInputs() {
        Path tok = TestBundles.minilmTokenizer();
        for (String[] inputs :
                new String[][] {{"input_ids"}, {"input_ids", "attention_mask", "token_type_ids", "position_ids"}}) {
            TestGraphs.Lexicon g = TestBundles.nerLexicon(tok, 30522, CONLL_IOB2, "logits", Map.of("paris", "B-LOC"))
                    .inputs(inputs);
            Path dir = TestBundles.bundle(tmp.resolve("in" + inputs.length))
                    .graph(g)
                    .tokenizer(tok)
                    .config(TestBundles.config("bert", CONLL_IOB2, 30522, 512))
                    .write();
            try (OnnxEnrichmentEngine engine =
                    OnnxEnrichmentEngine.open(EngineOptions.of(dir).withTopicBundle(null))) {
                assertEquals(List.of(inputs), engine.nerBundle().inputs());
                // two rows of different length: padding without a mask input still decodes the real tokens only
                BatchResult r = engine.infer(
                        List.of(engine.encode("a b c d e f g h i Paris"), engine.encode("a b c d e f g h Paris")));
                assertEquals(1, r.stats().buckets());
                assertEquals(r.stats().realTokens() + 1, r.stats().paddedTokens());
                assertEquals(
                        List.of("Paris/LOC/18/23"),
                        r.results().get(0).entities().stream()
                                .map(OnnxEnrichmentEngineTest::fmt)
                                .toList());
                assertEquals(
                        List.of("Paris/LOC/16/21"),
                        r.results().get(1).entities().stream()
                                .map(OnnxEnrichmentEngineTest::fmt)
                                .toList());
            }
        }
    }

    @Test
    void encodeIsThreadSafeAndRunsBesideInfer() throws Exception {
        Path dir = aggregationBundle("first");
        try (OnnxEnrichmentEngine engine =
                OnnxEnrichmentEngine.open(EngineOptions.of(dir).withTopicBundle(null))) {
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                texts.add("Merkel " + i + " tokenization ".repeat(i % 7) + "Merkel");
            }
            List<String> expected = new ArrayList<>();
            for (String t : texts) {
                expected.add(engine.infer(List.of(engine.encode(t)))
                        .results()
                        .get(0)
                        .entities()
                        .toString());
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<EncodedDocument>> futures = new ArrayList<>();
                for (String t : texts) {
                    futures.add(pool.submit(() -> engine.encode(t)));
                }
                List<EncodedDocument> docs = new ArrayList<>();
                for (int i = 0; i < futures.size(); i++) {
                    docs.add(futures.get(i).get());
                    if (i % 50 == 49) { // infer on this thread while the pool keeps encoding
                        engine.infer(docs.subList(i - 49, i + 1));
                    }
                }
                List<Enrichment> results = engine.infer(docs).results();
                for (int i = 0; i < texts.size(); i++) {
                    assertEquals(expected.get(i), results.get(i).entities().toString(), texts.get(i));
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    static String fmt(Entity e) {
        return e.text() + "/" + e.label() + "/" + e.start() + "/" + e.end();
    }

    static String json(List<String> labels) {
        return labels.stream().map(l -> "\"" + l + "\"").collect(Collectors.joining(",", "[", "]"));
    }
}
