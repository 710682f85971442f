package io.streamnlp.inference;

import static io.streamnlp.fixtures.TestBundles.CONLL_IOB2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.api.engine.BatchResult;
import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.event.Entity;
import io.streamnlp.fixtures.TestBundles;
import io.streamnlp.fixtures.TestGraphs;
import io.streamnlp.model.Aggregation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Texts longer than the model's max length: windows, overlaps, merge. */
class LongTextTest {
    @TempDir
    Path tmp;

    private Path bundle(int maxLength, int stride) {
        Path tok = TestBundles.minilmTokenizer();
        // "merkel" is two sub-tokens (mer ##kel): words may straddle window edges
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
                        {"name":"lex","version":"1","maxLength":%d,"stride":%d,
                         "tasks":{"ner":{"output":"token_logits","labels":%s},
                                  "topic":{"output":"sequence_logits","labels":%s}}}
                        """.formatted(
                                maxLength,
                                stride,
                                TestBundles.jsonArray(CONLL_IOB2),
                                TestBundles.jsonArray(TestBundles.AG_NEWS)))
                .write();
    }

    /** Every occurrence of the names, in text order, with code-point offsets (the text is ASCII). */
    private static List<String> expected(String text) {
        List<String> out = new ArrayList<>();
        String lower = text.toLowerCase();
        for (int i = 0; i < text.length(); i++) {
            for (String[] n : new String[][] {{"paris", "LOC"}, {"obama", "PER"}, {"merkel", "PER"}}) {
                if (lower.startsWith(n[0], i)) {
                    out.add(text.substring(i, i + n[0].length()) + "/" + n[1] + "/" + i + "/" + (i + n[0].length()));
                }
            }
        }
        return out;
    }

    @Test
    void threeTimesTheMaxLengthYieldsEveryEntityOnce() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < 600; i++) {
            sb.append(
                    i % 2 == 0
                            ? "Obama flew to Paris with Merkel. "
                            : "Then Merkel and Obama left Paris again, " + i + " times. ");
        }
        String text = sb.toString();
        for (Aggregation agg : Aggregation.values()) {
            try (OnnxEnrichmentEngine engine =
                    OnnxEnrichmentEngine.open(EngineOptions.of(bundle(32, 8)).withAggregation(agg))) {
                EncodedDocument doc = engine.encode(text);
                assertTrue(doc.tokenCount() > 3 * 32, "tokens " + doc.tokenCount());
                assertTrue(doc.maxWindowLength() <= 32);
                BatchResult r = engine.infer(List.of(doc));
                List<Entity> entities = r.results().get(0).entities();
                assertEquals(
                        expected(text),
                        entities.stream()
                                .map(e -> e.text() + "/" + e.label() + "/" + e.start() + "/" + e.end())
                                .toList());
                assertTrue(r.stats().sequences() >= 4, "windows " + r.stats().sequences());
                assertEquals(doc.tokenCount(), r.stats().realTokens());
                // entities from the first, the middle and the last window alike
                assertTrue(entities.get(0).start() < 10
                        && entities.get(entities.size() - 1).end() > text.length() - 60);
                // topic over windows: mean of the windows' logits, all favour World
                assertEquals("World", r.results().get(0).topic().label());
            }
        }
    }

    @Test
    void aLongTextAndShortOnesInOneBatchKeepTheirOrder() {
        try (OnnxEnrichmentEngine engine =
                OnnxEnrichmentEngine.open(EngineOptions.of(bundle(32, 8)).withMaxBucketRows(2))) {
            String longText = "Obama in Paris. ".repeat(40);
            List<String> texts = List.of("Paris", longText, "", "nothing", "Merkel met Obama");
            List<EncodedDocument> docs = texts.stream().map(engine::encode).toList();
            BatchResult r = engine.infer(docs);
            for (int i = 0; i < texts.size(); i++) {
                assertEquals(
                        expected(texts.get(i)),
                        r.results().get(i).entities().stream()
                                .map(e -> e.text() + "/" + e.label() + "/" + e.start() + "/" + e.end())
                                .toList(),
                        texts.get(i));
            }
            int rows = docs.stream()
                    .mapToInt(d -> ((OnnxEncodedDocument) d).windowCount())
                    .sum();
            assertEquals(rows, r.stats().sequences());
            assertTrue(r.stats().buckets() >= (rows + 1) / 2, "at most 2 rows per bucket");
            assertEquals(
                    docs.stream().mapToLong(EncodedDocument::tokenCount).sum(),
                    r.stats().realTokens());
            assertTrue(r.stats().paddedTokens() >= r.stats().realTokens());
            assertTrue(r.stats().inferenceNanos() > 0);
        }
    }
}
