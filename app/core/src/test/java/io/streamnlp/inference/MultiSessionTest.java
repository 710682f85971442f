package io.streamnlp.inference;

import static io.streamnlp.fixtures.TestBundles.CONLL_IOB2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamnlp.api.engine.BatchResult;
import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.event.Enrichment;
import io.streamnlp.fixtures.TestBundles;
import io.streamnlp.fixtures.TestGraphs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several sessions per bundle (a bucket's rows split over them) give exactly the single-session results. */
class MultiSessionTest {
    @TempDir
    Path tmp;

    private Path bundle() {
        Path tok = TestBundles.minilmTokenizer();
        TestGraphs.Lexicon g = TestBundles.nerLexicon(
                        tok,
                        30522,
                        CONLL_IOB2,
                        "token_logits",
                        Map.of("paris", "B-LOC", "obama", "B-PER", "merkel", "B-PER"))
                .sequenceHead("sequence_logits", 4)
                .sequenceLogits(TestBundles.id(tok, "paris"), new float[] {3, 0, 0, 0});
        return TestBundles.bundle(tmp.resolve("b"))
                .graph(g)
                .tokenizer(tok)
                .config(TestBundles.config("bert", CONLL_IOB2, 30522, 512))
                .manifest("""
                        {"name":"lex","version":"1","maxLength":32,"stride":8,
                         "tasks":{"ner":{"output":"token_logits","labels":%s},
                                  "topic":{"output":"sequence_logits","labels":%s}}}
                        """.formatted(TestBundles.jsonArray(CONLL_IOB2), TestBundles.jsonArray(TestBundles.AG_NEWS)))
                .write();
    }

    private static List<String> texts() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            StringBuilder b = new StringBuilder("Obama met Merkel");
            for (int k = 0; k < i % 9; k++) {
                b.append(k % 2 == 0 ? " in Paris" : " and then flew home again after the talks");
            }
            out.add(b.append('.').toString());
        }
        return out;
    }

    private static List<Enrichment> run(Path dir, int sessions, List<String> texts) {
        try (OnnxEnrichmentEngine engine =
                OnnxEnrichmentEngine.open(EngineOptions.of(dir).withMaxBucketRows(8), sessions)) {
            List<EncodedDocument> docs = new ArrayList<>();
            for (String t : texts) {
                docs.add(engine.encode(t));
            }
            BatchResult r = engine.infer(docs);
            assertEquals(texts.size(), r.stats().documents());
            return r.results();
        }
    }

    @Test
    void threeSessionsMatchOne() {
        Path dir = bundle();
        List<String> texts = texts();
        List<Enrichment> one = run(dir, 1, texts);
        assertEquals(one, run(dir, 3, texts));
        assertEquals(one.subList(0, 1), run(dir, 3, texts.subList(0, 1))); // fewer rows than sessions
        assertEquals(one, run(dir, 0, texts)); // auto
    }

    @Test
    void callsOnDisjointLanesRunInParallelWithTheSameResults() throws Exception {
        Path dir = bundle();
        List<String> texts = texts();
        List<Enrichment> expected = run(dir, 1, texts);
        try (OnnxEnrichmentEngine engine =
                OnnxEnrichmentEngine.open(EngineOptions.of(dir).withMaxBucketRows(8), 3)) {
            assertEquals(3, engine.lanes());
            List<EncodedDocument> docs = new ArrayList<>();
            for (String t : texts) {
                docs.add(engine.encode(t));
            }
            var pool = Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < 20; round++) { // each lane's buffers and decoding scratch are its own
                    var a = pool.submit(() -> engine.infer(docs, new int[] {0}));
                    var b = pool.submit(() -> engine.infer(docs, new int[] {2, 1}));
                    assertEquals(expected, a.get().results());
                    assertEquals(expected, b.get().results());
                }
            } finally {
                pool.shutdownNow();
            }
            assertThrows(IllegalArgumentException.class, () -> engine.infer(docs, new int[] {3}));
            assertThrows(IllegalArgumentException.class, () -> engine.infer(docs, new int[] {1, 1}));
            assertThrows(IllegalArgumentException.class, () -> engine.infer(docs, new int[0]));
        }
    }

    @Test
    void negativeSessionsAreRejected() {
        Path dir = bundle();
        assertThrows(IllegalArgumentException.class, () -> OnnxEnrichmentEngine.open(EngineOptions.of(dir), -1));
    }
}
