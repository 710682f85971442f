package io.streamnlp.inference;

import static io.streamnlp.fixtures.TestBundles.CONLL_IOB2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.event.Enrichment;
import io.streamnlp.api.event.Entity;
import io.streamnlp.fixtures.SharedData;
import io.streamnlp.fixtures.TestBundles;
import io.streamnlp.fixtures.TestGraphs;
import io.streamnlp.tokenize.EncodedText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random texts of tricky Unicode through each real tokenizer, with a model that calls every token B-PER (so
 * every word is an entity): offsets must stay aligned with the original text whatever it holds.
 */
class OffsetFuzzTest {
    private static final String[] PIECES = {
        "Paris",
        "O'Neil-Smith",
        "naïve",
        "Jose\u0301",
        "東京",
        "한국어",
        "مرحبا",
        "हिंदी",
        "Ünïcödé",
        "ǅemal",
        "\uD83D\uDE00",
        "\uD83D\uDC4D\uD83C\uDFFD",
        "\uD83C\uDFF3\uFE0F\u200D\uD83C\uDF08",
        "\uD83D\uDC69\u200D\uD83D\uDC69\u200D\uD83D\uDC67",
        "\u0301",
        "\u200D",
        "\uFE0F",
        " ",
        "  ",
        "\t",
        "\n",
        "\u00A0",
        "\u3000",
        "\u2028",
        ".",
        ",",
        "...",
        "\u0000",
        "\u0007",
        "\uD800",
        "\uDC00",
        "İ",
        "ß",
        "ﬁ",
        "1,000.5",
        "e-mail@x.org",
        "supercalifragilisticexpialidocious",
    };

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"minilm", "bert-base-cased", "roberta-base"})
    void offsetsHoldForRandomUnicode(String which) {
        Path tok = switch (which) {
            case "minilm" -> TestBundles.minilmTokenizer();
            default -> SharedData.require("tokenizers/" + which + "/tokenizer.json");
        };
        int vocab = which.equals("roberta-base") ? 50265 : which.equals("bert-base-cased") ? 28996 : 30522;
        TestGraphs.Lexicon g =
                TestGraphs.lexicon(vocab).tokenHead("logits", 9, TestGraphs.oneHot(CONLL_IOB2, "B-PER", 8));
        Path dir = TestBundles.bundle(tmp.resolve(which))
                .graph(g)
                .tokenizer(tok)
                .config(TestBundles.config("bert", CONLL_IOB2, vocab, 512))
                .manifest("{\"maxLength\":24,\"stride\":6,\"tasks\":{\"ner\":{\"output\":\"logits\"}}}")
                .write();
        Random random = new Random(42);
        try (OnnxEnrichmentEngine engine =
                OnnxEnrichmentEngine.open(EngineOptions.of(dir).withTopicBundle(null))) {
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                StringBuilder sb = new StringBuilder();
                int n = 1 + random.nextInt(30);
                for (int j = 0; j < n; j++) {
                    sb.append(PIECES[random.nextInt(PIECES.length)]);
                    if (random.nextInt(3) > 0) {
                        sb.append(' ');
                    }
                }
                texts.add(sb.toString());
            }
            List<EncodedDocument> docs = texts.stream().map(engine::encode).toList();
            List<Enrichment> results = engine.infer(docs).results();
            for (int i = 0; i < texts.size(); i++) {
                String text = texts.get(i);
                int[] cps = text.codePoints().toArray();
                EncodedText et = ((OnnxEncodedDocument) docs.get(i)).perRuntime[0];
                List<Entity> entities = results.get(i).entities();
                assertEquals(et.wordCount(), entities.size(), "every word is one B-PER entity: " + text);
                int prevEnd = 0;
                for (Entity e : entities) {
                    String where = e + " in <" + text + ">";
                    assertTrue(e.start() >= prevEnd && e.start() < e.end() && e.end() <= cps.length, where);
                    assertEquals(new String(cps, e.start(), e.end() - e.start()), e.text(), where);
                    assertFalse(Character.isWhitespace(cps[e.start()]) || Character.isSpaceChar(cps[e.start()]), where);
                    assertFalse(
                            Character.isWhitespace(cps[e.end() - 1]) || Character.isSpaceChar(cps[e.end() - 1]), where);
                    // never ends right before a combining mark or joiner that belongs to its last character
                    if (e.end() < cps.length) {
                        int next = Character.getType(cps[e.end()]);
                        assertFalse(
                                next == Character.NON_SPACING_MARK
                                        || next == Character.ENCLOSING_MARK
                                        || cps[e.end()] == 0x200D
                                        || cps[e.end()] == 0xFE0F,
                                where);
                    }
                    prevEnd = e.end();
                }
                // every non-space code point is covered by some entity unless the tokenizer dropped it
                // (controls, lone marks): at least the letters are
                for (int c = 0; c < cps.length; c++) {
                    if (Character.isLetter(cps[c])) {
                        final int at = c;
                        assertTrue(
                                entities.stream().anyMatch(e -> e.start() <= at && at < e.end()),
                                "letter at " + c + " not in an entity: <" + text + "> " + entities);
                    }
                }
            }
        }
    }
}
