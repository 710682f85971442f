package io.streamnlp.inference;

import static io.streamnlp.fixtures.TestBundles.CONLL_IOB2;
import static io.streamnlp.fixtures.TestGraphs.oneHot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.streamnlp.api.Entity;
import io.streamnlp.api.Enrichment;
import io.streamnlp.fixtures.TestBundles;
import io.streamnlp.fixtures.TestGraphs;
import java.nio.file.Path;
import java.util.List;
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
        Path dir = TestBundles.bundle(tmp.resolve("b")).graph(g).tokenizer(tok)
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
            assertEquals(List.of("Obama/PER/0/5", "Paris/LOC/25/30"), e.entities().stream().map(OnnxEnrichmentEngineTest::fmt).toList());
            assertEquals("Sports", e.topic().label());
            assertEquals(List.of(), r.results().get(1).entities());
            assertEquals("World", r.results().get(1).topic().label()); // all-zero logits: ties go to the first label
            assertEquals(2, r.stats().documents());
            assertEquals(2, r.stats().sequences());
        }
    }

    static String fmt(Entity e) {
        return e.text() + "/" + e.label() + "/" + e.start() + "/" + e.end();
    }

    static String json(List<String> labels) {
        return labels.stream().map(l -> "\"" + l + "\"").collect(java.util.stream.Collectors.joining(",", "[", "]"));
    }
}
