package io.streamnlp.inference;

import static io.streamnlp.fixtures.TestBundles.CONLL_IOB2;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamnlp.api.event.Entity;
import io.streamnlp.fixtures.SharedData;
import io.streamnlp.fixtures.TestBundles;
import io.streamnlp.fixtures.TestGraphs;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Entity offsets are code points and slicing the text by them gives back exactly the entity, for any Unicode. */
class UnicodeOffsetsTest {
    // "José" with a combining acute, a ZWJ family emoji, CJK, repeated spaces, an emoji after an entity
    static final String TEXT =
            "Jose\u0301 \uD83D\uDC69\u200D\uD83D\uDC69\u200D\uD83D\uDC67 met 東京 in   Paris \uD83D\uDE00 today";
    static final List<String> EXPECTED = List.of(
            "Jose\u0301/PER/0/5",
            "\uD83D\uDC69\u200D\uD83D\uDC69\u200D\uD83D\uDC67/MISC/6/11",
            "東京/LOC/16/18",
            "Paris/LOC/24/29",
            "\uD83D\uDE00/MISC/30/31");

    @TempDir
    Path tmp;

    @Test
    void uncasedWordPieceStripsAccentsAndZwjButOffsetsKeepThem() {
        Path tok = TestBundles.minilmTokenizer();
        TestGraphs.Lexicon g = TestBundles.nerLexicon(
                tok,
                30522,
                CONLL_IOB2,
                "logits",
                Map.of("jose", "B-PER", "東", "B-LOC", "京", "I-LOC", "paris", "B-LOC", "[UNK]", "B-MISC"));
        check(TestBundles.bundle(tmp.resolve("minilm"))
                .graph(g)
                .tokenizer(tok)
                .config(TestBundles.config("bert", CONLL_IOB2, 30522, 512))
                .write());
    }

    @Test
    void casedWordPieceKeepsTheAccentAsASubToken() {
        Path tok = SharedData.require("tokenizers/bert-base-cased/tokenizer.json");
        TestGraphs.Lexicon g = TestBundles.nerLexicon(
                tok,
                28996,
                CONLL_IOB2,
                "logits",
                Map.of("Jose", "B-PER", "東", "B-LOC", "京", "I-LOC", "Paris", "B-LOC", "[UNK]", "B-MISC"));
        check(TestBundles.bundle(tmp.resolve("cased"))
                .graph(g)
                .tokenizer(tok)
                .config(TestBundles.config("bert", CONLL_IOB2, 28996, 512))
                .write());
    }

    @Test
    void byteLevelBpeSplitsTheAccentIntoAWordOfItsOwn() {
        Path tok = SharedData.require("tokenizers/roberta-base/tokenizer.json");
        List<String> io = List.of("O", "MISC", "PER", "ORG", "LOC");
        TestGraphs.Lexicon g = TestBundles.nerLexicon(
                tok,
                50265,
                io,
                "logits",
                Map.of(
                        "Jose",
                        "PER",
                        " 東京",
                        "LOC",
                        " Paris",
                        "LOC",
                        " \uD83D\uDC69\u200D\uD83D\uDC69\u200D\uD83D\uDC67",
                        "MISC",
                        " \uD83D\uDE00",
                        "MISC"));
        check(TestBundles.bundle(tmp.resolve("roberta"))
                .graph(g)
                .tokenizer(tok)
                .config(TestBundles.config("roberta", io, 50265, 514))
                .write());
    }

    private static void check(Path bundle) {
        try (OnnxEnrichmentEngine engine =
                OnnxEnrichmentEngine.open(EngineOptions.of(bundle).withTopicBundle(null))) {
            List<Entity> entities =
                    engine.infer(List.of(engine.encode(TEXT))).results().get(0).entities();
            int[] cps = TEXT.codePoints().toArray();
            for (Entity e : entities) {
                assertEquals(new String(cps, e.start(), e.end() - e.start()), e.text(), "slice of " + e);
            }
            assertEquals(
                    EXPECTED,
                    entities.stream()
                            .map(e -> e.text() + "/" + e.label() + "/" + e.start() + "/" + e.end())
                            .toList());
        }
    }
}
